// Issue 18: nothing silently ignored. Unknown keys on messages, attachments, addresses and
// listUnsubscribe are MimeErrors naming them; Nodemailer's spellings say what to write here.
import { parseWithPython } from '@mail/testkit'
import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import {
  buildMessage,
  buildMessageStream,
  getEnvelope,
  type MessageInput,
  MimeError,
} from '../src/index.js'
import { ATTACHMENT_KEYS, MESSAGE_KEYS } from '../src/keys.js'
import { base } from './fixtures/fields.js'

function mimeError(fn: () => unknown): MimeError {
  try {
    fn()
  } catch (error) {
    expect(error).toBeInstanceOf(MimeError)
    return error as MimeError
  }
  throw new Error('expected a MimeError')
}

/** Builds `input`, which is not a MessageInput: the check is for untyped callers. */
const build = (input: object) => buildMessage(input as MessageInput)
const attach = (attachment: object) => build({ ...base, attachments: [attachment] })

describe('a message key this builder does not know', () => {
  test.each<[string, unknown, RegExp]>([
    ['icalEvent', { content: 'BEGIN:VCALENDAR' }, /text\/calendar/],
    ['alternatives', [{ content: 'x' }], /text and html/],
    ['list', { unsubscribe: 'https://x.example' }, /listUnsubscribe/],
    ['priority', 'high', /X-Priority/],
    ['textEncoding', 'base64', /quoted-printable/],
    ['encoding', 'utf-8', /transfer encoding/],
    ['raw', 'From: a@b\r\n\r\nhi', /sendRaw/],
    ['amp', '<!doctype html>', /AMP/],
    ['watchHtml', '<b>hi</b>', /Apple Watch/],
    ['attachDataUrls', true, /cid/],
    ['envelope', { from: 'a@x.org', to: ['b@x.org'] }, /@mail\/send/],
    ['dkim', { domain: 'x.org' }, /signDkim/],
  ])('%s is refused, saying what to write instead', (key, value, advice) => {
    const error = mimeError(() => build({ ...base, [key]: value }))
    expect(error.field).toBe(key)
    expect(error.message).toMatch(advice)
  })

  test('a near miss is refused with the key it resembles', () => {
    expect(mimeError(() => build({ ...base, Subject: 'x' })).message).toMatch(
      /did you mean subject\?/,
    )
    expect(mimeError(() => build({ ...base, attachment: [] })).message).toMatch(
      /did you mean attachments\?/,
    )
    expect(mimeError(() => build({ ...base, replyto: 'a@x.org' })).message).toMatch(/replyTo/)
    expect(mimeError(() => build({ ...base, zzz: 1 })).message).toMatch(/known: from, sender/)
  })

  test('getEnvelope and buildMessageStream refuse it too', () => {
    const input = { ...base, icalEvent: 'x' } as MessageInput
    expect(mimeError(() => getEnvelope(input)).field).toBe('icalEvent')
    expect(mimeError(() => buildMessageStream(input)).field).toBe('icalEvent')
  })

  test('a key whose value is undefined is the same as an absent one', () => {
    expect(build({ ...base, envelope: undefined, icalEvent: undefined })).toContain('hi')
  })

  test('a wrapper tells the builder about the keys it handles itself (extraKeys)', () => {
    const input = { ...base, envelope: { from: 'a@x.org', to: ['b@x.org'] } } as MessageInput
    expect(mimeError(() => buildMessage(input)).field).toBe('envelope')
    expect(buildMessage(input, { extraKeys: ['envelope'] })).toContain('hi')
    expect(buildMessageStream(input, { extraKeys: ['envelope'] }).replayable).toBe(true)
    expect(
      mimeError(() => buildMessage({ ...input, x: 1 } as MessageInput, { extraKeys: ['envelope'] }))
        .field,
    ).toBe('x')
  })
})

describe('an attachment key this builder does not know', () => {
  test.each<[string, unknown, RegExp]>([
    ['path', '/etc/passwd', /fs\.openAsBlob\(path\)/],
    ['href', 'https://example.com/a.pdf', /fetch\(url\)/],
    ['contentDisposition', 'inline', /disposition/],
    ['contentTransferEncoding', 'quoted-printable', /base64/],
    ['headers', { 'X-A': 'b' }, /Content-\*/],
    ['raw', 'Content-Type: text/plain\r\n\r\nhi', /content/],
    ['contentId', 'a@b', /cid/],
  ])('%s is refused, saying what to write instead', (key, value, advice) => {
    const error = mimeError(() => attach({ content: 'x', [key]: value }))
    expect(error.field).toBe(`attachments[0].${key}`)
    expect(error.message).toMatch(advice)
  })

  test('path alone (no content) names path, not a missing content', () => {
    expect(mimeError(() => attach({ filename: 'a.pdf', path: 'a.pdf' })).field).toBe(
      'attachments[0].path',
    )
  })

  test('unknown keys on addresses and listUnsubscribe are refused too', () => {
    expect(
      mimeError(() => build({ ...base, to: [{ address: 'b@x.org', email: 'b@x.org' }] })).field,
    ).toBe('to[0].email')
    expect(
      mimeError(() => build({ ...base, listUnsubscribe: { url: 'https://x.org/u', post: true } }))
        .field,
    ).toBe('listUnsubscribe.post')
  })
})

describe("attachment encoding: 'base64' | 'hex' on string content", () => {
  test('decodes the text to the octets attached', async () => {
    const raw = build({
      ...base,
      attachments: [
        { filename: 'a.bin', content: 'aGVs\r\nbG8=', encoding: 'base64' },
        { filename: 'b.bin', content: '00ff10Aa', encoding: 'hex' },
        { filename: 'c.txt', content: 'aGVsbG8=', encoding: 'base64' },
      ],
    })
    const parsed = await parseWithPython(raw)
    expect(parsed.defects).toEqual([])
    expect(parsed.attachments.map((a) => [...a.content])).toEqual([
      [...Buffer.from('hello')],
      [0x00, 0xff, 0x10, 0xaa],
      [...Buffer.from('hello')],
    ])
    // Decoded octets are not UTF-8 text by definition: no charset is claimed for them.
    expect(raw).toContain('Content-Type: text/plain; name="c.txt"')
  })

  test.each([
    ['base64', 'aGVsbG8'],
    ['base64', 'aGVs*G8='],
    ['base64', 'aGVsbG8_'],
    ['hex', 'abc'],
    ['hex', '0g'],
    ['hex', '00 ff'],
  ])('refuses invalid %s text %j, naming content', (encoding, content) => {
    expect(mimeError(() => attach({ content, encoding })).field).toBe('attachments[0].content')
  })

  test('refuses other encodings, and an encoding for content that is not a string', () => {
    for (const encoding of ['utf-8', 'binary', 'latin1', 7]) {
      expect(mimeError(() => attach({ content: 'x', encoding })).field).toBe(
        'attachments[0].encoding',
      )
    }
    expect(mimeError(() => attach({ content: Uint8Array.of(1), encoding: 'base64' })).field).toBe(
      'attachments[0].encoding',
    )
  })
})

describe('random keys (fuzz)', () => {
  const value = fc.anything({ maxDepth: 2 }).filter((v) => v !== undefined)

  test('on the message: an unknown key is a MimeError naming it; a known one is used or refused by its field', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string(), fc.constantFrom(...MESSAGE_KEYS.known)),
        value,
        (key, v) => {
          let outcome: unknown
          try {
            outcome = build({ ...base, [key]: v })
          } catch (error) {
            outcome = error
          }
          if (MESSAGE_KEYS.known.has(key)) {
            if (typeof outcome === 'string') return
            expect(outcome).toBeInstanceOf(MimeError)
            expect((outcome as MimeError).field.startsWith(key)).toBe(true)
          } else {
            expect(outcome).toBeInstanceOf(MimeError)
            expect((outcome as MimeError).field).toBe(key)
          }
        },
      ),
      { numRuns: 2000 },
    )
  })

  test('on an attachment: the same, with the attachment’s field', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string(), fc.constantFrom(...ATTACHMENT_KEYS.known)),
        value,
        (key, v) => {
          let outcome: unknown
          try {
            outcome = attach({ content: 'x', [key]: v })
          } catch (error) {
            outcome = error
          }
          const field = `attachments[0].${key}`
          if (ATTACHMENT_KEYS.known.has(key)) {
            if (typeof outcome === 'string') return
            expect(outcome).toBeInstanceOf(MimeError)
            expect((outcome as MimeError).field.startsWith('attachments[0]')).toBe(true)
          } else {
            expect(outcome).toBeInstanceOf(MimeError)
            expect((outcome as MimeError).field).toBe(field)
          }
        },
      ),
      { numRuns: 2000 },
    )
  })
})
