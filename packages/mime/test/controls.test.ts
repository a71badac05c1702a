// Issue 19: characters that change how a line reads are refused in every single-line field (C0
// and C1 controls, U+2028/U+2029, bidi embeddings, overrides and isolates, lone surrogates),
// with the field named; an address is never rewritten. Bodies encode whatever they get.
import { pythonParser } from '@mail/testkit'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { buildMessage, getEnvelope, MimeError } from '../src/index.js'
import { base, singleLineFields } from './fixtures/fields.js'
import { body } from './fixtures/messages.js'

/** Every refused character but CR, LF and NUL (see injection.test.ts), by kind. */
const REFUSED = {
  'a C0 control': fc.integer({ min: 1, max: 0x1f }).filter((c) => c !== 9 && c !== 10 && c !== 13),
  DEL: fc.constant(0x7f),
  'a C1 control': fc.integer({ min: 0x80, max: 0x9f }),
  'a line or paragraph separator': fc.constantFrom(0x2028, 0x2029),
  'a bidi embedding, override or isolate': fc.constantFrom(
    0x202a,
    0x202b,
    0x202c,
    0x202d,
    0x202e,
    0x2066,
    0x2067,
    0x2068,
    0x2069,
  ),
  'a lone surrogate': fc.integer({ min: 0xd800, max: 0xdfff }),
}

/** Printable text around the refused character, never completing a surrogate pair. */
const around = fc.string({ maxLength: 20, unit: 'grapheme-ascii' })

function mimeErrorOf(fn: () => unknown): MimeError {
  try {
    fn()
  } catch (error) {
    expect(error).toBeInstanceOf(MimeError)
    return error as MimeError
  }
  throw new Error('expected a MimeError')
}

describe.each(Object.entries(REFUSED))('%s in a single-line field', (_, code) => {
  test.each(singleLineFields.map(([field, make], i) => [`${field} (#${i})`, field, make] as const))(
    'is refused in %s, naming it',
    (_name, field, make) => {
      fc.assert(
        fc.property(around, code, around, (a, c, b) => {
          const input = make(a + String.fromCharCode(c) + b)
          const error = mimeErrorOf(() => buildMessage(input))
          expect(error.field).toBe(field)
          expect(error.message).toContain(field)
        }),
        { numRuns: 200 },
      )
    },
  )
})

describe('addresses are never rewritten', () => {
  test('a lone surrogate in an address is refused, in the message and in the envelope', () => {
    for (const to of ['b\ud800@example.org', 'b@ex\udc00ample.org', { address: 'b\udfff@x.org' }]) {
      expect(mimeErrorOf(() => buildMessage({ ...base, to })).field).toBe('to')
      expect(mimeErrorOf(() => getEnvelope({ ...base, to }, { smtputf8: true })).field).toBe('to')
    }
  })

  test('with SMTPUTF8, C1 controls and U+2028 never reach an address', () => {
    for (const address of ['b\u0085@example.org', 'b@exa\u009bmple.org', 'b\u2028@example.org']) {
      const error = mimeErrorOf(() => getEnvelope({ ...base, to: address }, { smtputf8: true }))
      expect(error.field).toBe('to')
    }
  })

  test('paired surrogates (emoji) are characters, and stay allowed', () => {
    const raw = buildMessage({
      ...base,
      subject: 'Party 🎉',
      to: { name: '🎉 Bob', address: 'b@x.org' },
    })
    expect(raw).toContain('Subject: =?utf-8?')
  })
})

describe('bodies encode whatever they get', () => {
  let python: Awaited<ReturnType<typeof pythonParser>>
  beforeAll(async () => {
    python = await pythonParser()
  })
  afterAll(async () => {
    await python.close()
  })

  test('controls, separators and bidi characters in text and html come back exactly', async () => {
    const refused = fc.oneof(...Object.values(REFUSED)).map((c) => String.fromCharCode(c))
    const text = fc
      .array(fc.oneof(body, refused), { maxLength: 6 })
      .map((parts) => parts.join(''))
      // A lone surrogate is not a character: it is written as U+FFFD, as every UTF-8 encoder does.
      .map((s) => s.replace(/\p{Cs}/gu, '\ufffd'))
    await fc.assert(
      fc.asyncProperty(text, text, async (t, h) => {
        const parsed = await python.parse(buildMessage({ ...base, text: t, html: h }))
        expect(parsed.defects).toEqual([])
        const lf = (s: string) => s.replace(/\r\n|\r/g, '\n')
        expect(lf(parsed.text ?? '')).toBe(lf(t))
        expect(lf(parsed.html ?? '')).toBe(lf(h))
      }),
      { numRuns: 60 },
    )
  })
})
