import { type DkimCanonicalization, type DkimOptions, signDkim } from '@mail/mime/dkim'
import { beforeAll, describe, expect, it } from 'vitest'
import { MimeError } from '../../src/errors.js'
import { ed25519Key, rsaKey, type TestKey } from './keys.js'
import { MESSAGES } from './messages.js'
import {
  type VerifyCase,
  verifyAllWithMailauth,
  verifyWithMailauth,
  verifyWithPython,
} from './verifiers.js'

const CANONICALIZATIONS: DkimCanonicalization[] = [
  'relaxed/relaxed',
  'relaxed/simple',
  'simple/relaxed',
  'simple/simple',
]
const DOMAIN = 'example.com'
const SELECTOR = 'test'
const DNS_NAME = `${SELECTOR}._domainkey.${DOMAIN}`

let rsa: TestKey
let ed: TestKey

beforeAll(() => {
  rsa = rsaKey(2048)
  ed = ed25519Key()
})

function options(key: TestKey, extra: Partial<DkimOptions> = {}): DkimOptions {
  return { domain: DOMAIN, selector: SELECTOR, privateKey: key.pkcs8, ...extra }
}

function records(...keys: TestKey[]): Record<string, string> {
  return Object.fromEntries(
    keys.map((key, i) => [i === 0 ? DNS_NAME : `k${i}._domainkey.${DOMAIN}`, key.txt]),
  )
}

/** Both verifiers' verdicts for each case, side by side. */
async function verifyBoth(cases: VerifyCase[]): Promise<{ python: string; mailauth: string }[]> {
  const [python, mailauth] = await Promise.all([
    verifyWithPython(cases),
    verifyAllWithMailauth(cases),
  ])
  return python.map((p, i) => ({ python: p, mailauth: mailauth[i]! }))
}

/** Both verifiers pass `passing` and neither passes `failing`, each checked against `key`. */
async function expectOnlyFirstPasses(key: TestKey, passing: string, failing: string) {
  const verdicts = await verifyBoth([
    { message: passing, records: records(key) },
    { message: failing, records: records(key) },
  ])
  expect(verdicts[0]).toEqual({ python: 'pass', mailauth: 'pass' })
  expect(verdicts[1]!.python).not.toBe('pass')
  expect(verdicts[1]!.mailauth).not.toBe('pass')
}

function signatureField(message: string): string {
  return message.slice(0, message.search(/\r\n(?![ \t])/))
}

describe('signDkim with independent verifiers', () => {
  it('signs every message shape with both algorithms and all four canonicalizations so that python3-dkim and mailauth pass it', async () => {
    const cases: (VerifyCase & { label: string })[] = []
    for (const [shape, raw] of Object.entries(MESSAGES)) {
      for (const key of [rsa, ed]) {
        for (const canonicalization of CANONICALIZATIONS) {
          const message = await signDkim(raw, options(key, { canonicalization }))
          cases.push({
            label: `${shape} ${key.kind} ${canonicalization}`,
            message,
            records: records(key),
          })
        }
      }
    }
    const verdicts = await verifyBoth(cases)
    const failures = cases
      .map((c, i) => ({ label: c.label, ...verdicts[i]! }))
      .filter((v) => v.python !== 'pass' || v.mailauth !== 'pass')
    expect(failures).toEqual([])
    expect(cases).toHaveLength(Object.keys(MESSAGES).length * 8)
  })

  it('folds every signature field to lines of at most 78 characters', async () => {
    for (const key of [rsa, ed]) {
      const message = await signDkim(
        MESSAGES['long folded headers']!,
        options(key, { expiresIn: 60 }),
      )
      for (const line of signatureField(message).split('\r\n'))
        expect(line.length).toBeLessThanOrEqual(78)
    }
  })

  it('prepends the signature and returns a CRLF message otherwise unchanged', async () => {
    const raw = MESSAGES['plain text']!
    const message = await signDkim(raw, options(ed))
    expect(signatureField(message).replace(/\r\n /g, ' ')).toMatch(
      /^DKIM-Signature: v=1; a=ed25519-sha256; c=relaxed\/relaxed; d=example\.com; s=test; t=\d+; h=/,
    )
    expect(message.slice(signatureField(message).length + 2)).toBe(raw)
  })

  it('ends a message without a final CRLF with one, which does not change its hash', async () => {
    const raw = MESSAGES['no final CRLF']!
    const message = await signDkim(raw, options(ed))
    expect(message.slice(signatureField(message).length + 2)).toBe(`${raw}\r\n`)
  })

  it('ends a message that is all header with the empty line, which does not change its hash', async () => {
    const raw = MESSAGES['no body separator']!
    const message = await signDkim(raw, options(ed))
    expect(message.slice(signatureField(message).length + 2)).toBe(`${raw}\r\n`)
  })

  it('signs a field with whitespace before its colon (obsolete syntax) so that mailauth passes it', async () => {
    // python3-dkim refuses to parse such a header at all, so only mailauth can judge here.
    const raw = 'From \t: alice@example.com\r\nSubject : hi\r\n\r\nbody\r\n'
    for (const canonicalization of CANONICALIZATIONS) {
      const message = await signDkim(raw, options(ed, { canonicalization }))
      expect(await verifyWithMailauth({ message, records: records(ed) })).toBe('pass')
    }
  })

  it('returns a bare-LF message with CRLF line endings, as it signed it', async () => {
    const raw = MESSAGES['bare LF line endings']!
    const message = await signDkim(raw, options(ed))
    expect(message.slice(signatureField(message).length + 2)).toBe(raw.replace(/\n/g, '\r\n'))
    expect(message).not.toMatch(/(?<!\r)\n/)
  })

  it('signs with a PKCS#1 RSA key and with a 1024-bit key', async () => {
    const small = rsaKey(1024)
    const cases = [
      {
        message: await signDkim(MESSAGES['plain text']!, {
          ...options(rsa),
          privateKey: rsa.pkcs1!,
        }),
        records: records(rsa),
      },
      { message: await signDkim(MESSAGES['plain text']!, options(small)), records: records(small) },
    ]
    expect(await verifyBoth(cases)).toEqual([
      { python: 'pass', mailauth: 'pass' },
      { python: 'pass', mailauth: 'pass' },
    ])
  })

  it('takes the algorithm from the key, and accepts it when given explicitly', async () => {
    expect(await signDkim(MESSAGES['plain text']!, options(rsa))).toMatch(
      /^DKIM-Signature: v=1; a=rsa-sha256;/,
    )
    expect(
      await signDkim(MESSAGES['plain text']!, options(ed, { algorithm: 'ed25519-sha256' })),
    ).toMatch(/^DKIM-Signature: v=1; a=ed25519-sha256;/)
  })

  it('adds several signatures that all verify, each keyed by its own selector', async () => {
    let message = await signDkim(MESSAGES.attachment!, options(rsa))
    message = await signDkim(message, {
      ...options(ed),
      selector: 'k1',
      canonicalization: 'simple/simple',
    })
    const dns = records(rsa, ed)
    const verdicts = await verifyBoth([
      { message, records: dns, index: 0 },
      { message, records: dns, index: 1 },
    ])
    expect(verdicts).toEqual([
      { python: 'pass', mailauth: 'pass' },
      { python: 'pass', mailauth: 'pass' },
    ])
  })
})

describe('signDkim and messages altered after signing', () => {
  const alterations: Record<string, (message: string) => string> = {
    'a body byte changed': (m) => m.replace('This is a test.', 'This is a tesT.'),
    'the subject changed': (m) => m.replace('Subject: Test message', 'Subject: Test messages'),
    'a From field added on top': (m) => `From: mallory@evil.example\r\n${m}`,
    'a From field added below the first': (m) =>
      m.replace('\r\nTo:', '\r\nFrom: mallory@evil.example\r\nTo:'),
    'a body line appended': (m) => `${m}P.S. send money\r\n`,
  }

  it('fails python3-dkim and mailauth after each alteration, with both algorithms and canonicalizations', async () => {
    const cases: (VerifyCase & { label: string })[] = []
    for (const key of [rsa, ed]) {
      for (const canonicalization of ['relaxed/relaxed', 'simple/simple'] as const) {
        const signed = await signDkim(MESSAGES['plain text']!, options(key, { canonicalization }))
        for (const [what, alter] of Object.entries(alterations)) {
          const message = alter(signed)
          expect(message).not.toBe(signed)
          cases.push({
            label: `${what} ${key.kind} ${canonicalization}`,
            message,
            records: records(key),
          })
        }
      }
    }
    const verdicts = await verifyBoth(cases)
    const passed = cases
      .map((c, i) => ({ label: c.label, ...verdicts[i]! }))
      .filter((v) => v.python === 'pass' || v.mailauth === 'pass')
    expect(passed).toEqual([])
  })

  it('tolerates whitespace and folding changes under relaxed/relaxed but not under simple/simple', async () => {
    const rewrap = (m: string) =>
      m
        .replace('Subject: Test message', 'Subject:   Test\r\n  message ')
        .replace('This is a test.', 'This  is a test. ')
    const relaxed = rewrap(await signDkim(MESSAGES['plain text']!, options(ed)))
    const simple = rewrap(
      await signDkim(MESSAGES['plain text']!, options(ed, { canonicalization: 'simple/simple' })),
    )
    await expectOnlyFirstPasses(ed, relaxed, simple)
  })
})

describe('signDkim tags', () => {
  const fixed = new Date('2026-11-28T20:00:00Z')
  const t = fixed.getTime() / 1000

  it('writes t= from the injected clock and x= expiresIn seconds later', async () => {
    const message = await signDkim(
      MESSAGES['plain text']!,
      options(ed, { now: () => fixed, expiresIn: 3600 }),
    )
    const field = signatureField(message).replace(/\r\n /g, ' ')
    expect(field).toContain(` t=${t};`)
    expect(field).toContain(` x=${t + 3600};`)
  })

  it('is verified by mailauth inside the x= window and refused after it', async () => {
    const message = await signDkim(
      MESSAGES['plain text']!,
      options(ed, { now: () => fixed, expiresIn: 3600 }),
    )
    const c = { message, records: records(ed) }
    expect(await verifyWithMailauth(c, new Date(fixed.getTime() + 1000_000))).toBe('pass')
    expect(await verifyWithMailauth(c, new Date(fixed.getTime() + 3601_000))).not.toBe('pass')
  })

  it('signs identically twice with Ed25519 and a fixed clock', async () => {
    const opts = options(ed, { now: () => fixed })
    expect(await signDkim(MESSAGES.attachment!, opts)).toBe(
      await signDkim(MESSAGES.attachment!, opts),
    )
  })

  it('writes no l= by default and the canonical body length with bodyLength', async () => {
    const raw = MESSAGES['trailing blank lines and whitespace']!
    expect(signatureField(await signDkim(raw, options(ed)))).not.toMatch(/ l=/)
    const relaxed = signatureField(await signDkim(raw, options(ed, { bodyLength: true })))
    // relaxed: "line with trailing spaces\r\n" (27) + "tabs inside and double spaces\r\n" (31)
    expect(relaxed).toContain(' l=58;')
    const simple = await signDkim(
      raw,
      options(rsa, { bodyLength: true, canonicalization: 'simple/simple' }),
    )
    const l = Number(/ l=(\d+);/.exec(signatureField(simple))![1])
    expect(l).toBe(
      Buffer.byteLength(raw.slice(raw.indexOf('\r\n\r\n') + 4).replace(/(\r\n)+$/, '\r\n')),
    )
    const appended = `${simple}appended by a list\r\n`
    expect(
      await verifyBoth([
        { message: simple, records: records(rsa) },
        { message: appended, records: records(rsa) },
      ]),
    ).toEqual([
      { python: 'pass', mailauth: 'pass' },
      { python: 'pass', mailauth: 'pass' },
    ])
  })

  it('signs the chosen headers, and their absence, so adding one breaks the signature', async () => {
    const message = await signDkim(
      MESSAGES['plain text']!,
      options(rsa, { headers: ['From', 'Subject', 'X-Campaign'] }),
    )
    expect(signatureField(message).replace(/\r\n /g, ' ')).toContain(
      ' h=from:from:subject:x-campaign;',
    )
    const added = message.replace('\r\nSubject:', '\r\nX-Campaign: 7\r\nSubject:')
    await expectOnlyFirstPasses(rsa, message, added)
  })

  it('signs the default headers present, list-unsubscribe included, and not others', async () => {
    const raw = MESSAGES['plain text']!.replace(
      'MIME-Version',
      'List-Unsubscribe: <https://example.com/u>\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\nX-Other: 1\r\nMIME-Version',
    )
    const field = signatureField(await signDkim(raw, options(ed))).replace(/\r\n /g, ' ')
    const h = /h=([^;]*);/.exec(field)![1]!.replace(/ /g, '').split(':')
    expect(h).toEqual([
      'from',
      'from',
      'to',
      'subject',
      'date',
      'message-id',
      'mime-version',
      'content-type',
      'content-transfer-encoding',
      'list-unsubscribe',
      'list-unsubscribe-post',
    ])
  })
})

describe('signDkim errors', () => {
  async function rejection(raw: string, opts: DkimOptions): Promise<MimeError> {
    const error = await signDkim(raw, opts).then(
      (signed) => signed,
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(MimeError)
    return error as MimeError
  }

  it('rejects a key of the other algorithm, naming algorithm', async () => {
    const error = await rejection(
      MESSAGES['plain text']!,
      options(rsa, { algorithm: 'ed25519-sha256' }),
    )
    expect(error.field).toBe('algorithm')
    expect(error.message).toMatch(/RSA/)
    expect(
      (await rejection(MESSAGES['plain text']!, options(ed, { algorithm: 'rsa-sha256' }))).field,
    ).toBe('algorithm')
  })

  it('rejects a bad key, naming privateKey', async () => {
    const error = await rejection(MESSAGES['plain text']!, options(ed, { privateKey: 'garbage' }))
    expect(error.field).toBe('privateKey')
  })

  it('rejects bad options before touching the key', async () => {
    expect((await rejection(MESSAGES['plain text']!, options(ed, { domain: 'a b' }))).field).toBe(
      'domain',
    )
    expect((await rejection(MESSAGES['plain text']!, options(ed, { selector: 's;1' }))).field).toBe(
      'selector',
    )
    expect((await rejection(MESSAGES['plain text']!, options(ed, { headers: ['to'] }))).field).toBe(
      'headers',
    )
  })

  it('rejects a message without a From field, or with a broken header, naming raw', async () => {
    expect((await rejection('To: b@example.org\r\n\r\nhi\r\n', options(ed))).field).toBe('raw')
    expect(
      (await rejection('From: a@example.com\r\nbroken line\r\n\r\nhi\r\n', options(ed))).field,
    ).toBe('raw')
    expect((await rejection(42 as unknown as string, options(ed))).field).toBe('raw')
  })

  it('rejects a clock that returns an invalid date, naming now', async () => {
    const error = await rejection(
      MESSAGES['plain text']!,
      options(ed, { now: () => new Date(Number.NaN) }),
    )
    expect(error.field).toBe('now')
  })
})
