import { type DkimCanonicalization, signDkim } from '@mail/mime/dkim'
import fc from 'fast-check'
import { beforeAll, describe, expect, it } from 'vitest'
import { ed25519Key, rsaKey, type TestKey } from './keys.js'
import { type VerifyCase, verifyWithMailauth, verifyWithPython } from './verifiers.js'

// Bodies made of the pieces canonicalization cares about: WSP runs, empty lines, every line
// ending, non-ASCII text and lines that look like MIME or SMTP syntax.
const piece = fc.constantFrom(
  ' ',
  '  ',
  '\t',
  ' \t ',
  '\r\n',
  '\n',
  '\r',
  '\r\n\r\n',
  'word',
  'é',
  '日本',
  '😀',
  '.',
  'From ',
  '--boundary',
  '=20',
)
const body = fc.array(fc.oneof(piece, fc.string({ maxLength: 8 })), { maxLength: 40 })
const subject = fc
  .array(fc.oneof(fc.constantFrom(' ', '\t', '\r\n ', 'Re:', 'ü'), fc.string({ maxLength: 6 })), {
    maxLength: 10,
  })
  .map((parts) => parts.join('').replace(/[\r\n](?![ \t])/g, ''))
const canonicalization = fc.constantFrom<DkimCanonicalization>(
  'relaxed/relaxed',
  'relaxed/simple',
  'simple/relaxed',
  'simple/simple',
)

let keys: TestKey[]

beforeAll(() => {
  keys = [ed25519Key(), rsaKey(1024)]
})

describe('signDkim on random messages', () => {
  it('signs random bodies and subjects so that mailauth and python3-dkim pass them', async () => {
    const cases: VerifyCase[] = []
    await fc.assert(
      fc.asyncProperty(
        body,
        subject,
        canonicalization,
        fc.boolean(),
        async (parts, s, c, useRsa) => {
          const key = keys[useRsa ? 1 : 0]!
          const raw = `From: a@example.com\r\nSubject:${s}\r\nTo: b@example.org\r\n\r\n${parts.join('')}`
          const message = await signDkim(raw, {
            domain: 'example.com',
            selector: 'prop',
            privateKey: key.pkcs8,
            canonicalization: c,
          })
          const verifyCase = { message, records: { 'prop._domainkey.example.com': key.txt } }
          expect(await verifyWithMailauth(verifyCase)).toBe('pass')
          cases.push(verifyCase)
        },
      ),
      { numRuns: 50 },
    )
    const verdicts = await verifyWithPython(cases)
    expect(verdicts.filter((v) => v !== 'pass')).toEqual([])
  })
})
