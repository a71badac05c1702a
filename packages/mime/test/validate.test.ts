import { describe, expect, test } from 'vitest'
import { buildMessage, getEnvelope, type MessageInput, MimeError } from '../src/index.js'

const base: MessageInput = { from: 'alice@example.com', to: 'bob@example.org', text: 'hi' }

/** The MimeError `fn` throws (fails the test if it throws anything else or nothing). */
function mimeError(fn: () => unknown): MimeError {
  try {
    fn()
  } catch (err) {
    expect(err).toBeInstanceOf(MimeError)
    return err as MimeError
  }
  throw new Error('expected a MimeError')
}

describe('validateMessage rejects bad input with a MimeError naming the field', () => {
  test.each<[string, MessageInput, string]>([
    ['a missing from', { to: 'b@example.org' } as MessageInput, 'from'],
    ['an empty from', { from: '' }, 'from'],
    ['an unparseable from', { from: 'not an address' }, 'from'],
    ['an unparseable to element', { ...base, to: ['b@example.org', 'nope'] }, 'to[1]'],
    ['an unparseable cc', { ...base, cc: 'a@' }, 'cc'],
    ['an unparseable bcc', { ...base, bcc: ['@x'] }, 'bcc[0]'],
    ['an unparseable replyTo', { ...base, replyTo: 'x y' }, 'replyTo'],
    ['an object address in name form', { ...base, to: { address: 'B <b@x.org>' } }, 'to'],
    ['a group in from', { from: 'G: a@example.com;' }, 'from'],
    ['several From without a Sender', { from: 'a@example.com, b@example.com' }, 'from'],
    ['a sender with two addresses', { ...base, sender: 'a@x.org, b@x.org' }, 'sender'],
    ['a quoted local part with <', { ...base, to: '"a<b"@example.org' }, 'to'],
    ['a non-ASCII local part without SMTPUTF8', { ...base, to: 'zoë@example.org' }, 'to'],
    ['a header name with a colon', { ...base, headers: { 'X:Y': 'v' } }, 'headers.X:Y'],
    ['a header name with a space', { ...base, headers: { 'X Y': 'v' } }, 'headers.X Y'],
    ['an empty header name', { ...base, headers: { '': 'v' } }, 'headers.'],
    ['a non-ASCII header name', { ...base, headers: { 'X-Grüße': 'v' } }, 'headers.X-Grüße'],
    ['a custom From', { ...base, headers: { from: 'x@example.com' } }, 'headers.from'],
    ['a custom Bcc', { ...base, headers: { Bcc: 'x@example.com' } }, 'headers.Bcc'],
    ['a custom Subject', { ...base, headers: { SUBJECT: 'x' } }, 'headers.SUBJECT'],
    ['a custom Message-ID', { ...base, headers: { 'Message-ID': '<a@b>' } }, 'headers.Message-ID'],
    [
      'a custom MIME-Version',
      { ...base, headers: { 'MIME-Version': '1.0' } },
      'headers.MIME-Version',
    ],
    [
      'a custom Content-Type',
      { ...base, headers: { 'Content-Type': 'x/y' } },
      'headers.Content-Type',
    ],
    ['a custom Date', { ...base, headers: { Date: 'today' } }, 'headers.Date'],
    [
      'a custom In-Reply-To next to inReplyTo',
      { ...base, inReplyTo: '<a@b>', headers: { 'In-Reply-To': '<c@d>' } },
      'headers.In-Reply-To',
    ],
    ['a message ID without @', { ...base, messageId: 'abc' }, 'messageId'],
    ['a message ID with a comment', { ...base, messageId: 'a(b)@example.com' }, 'messageId'],
    ['a message ID with two @', { ...base, messageId: 'a@b@example.com' }, 'messageId'],
    ['a references element with a comma', { ...base, references: ['a,b@c'] }, 'references[0]'],
    ['a date before 1900', { ...base, date: new Date('0099-06-01T00:00:00Z') }, 'date'],
    ['a date after 9999', { ...base, date: new Date('+010000-01-01T00:00:00Z') }, 'date'],
    ['an In-Reply-To with junk', { ...base, inReplyTo: '<a@b> <c>' }, 'inReplyTo'],
    ['a bad references element', { ...base, references: ['<a@b>', 'x'] }, 'references[1]'],
    ['an invalid date', { ...base, date: new Date('nope') }, 'date'],
    ['a non-string subject', { ...base, subject: 42 as unknown as string }, 'subject'],
    ['a control character in the subject', { ...base, subject: 'a\x07b' }, 'subject'],
    [
      'attachment content of the wrong type',
      { ...base, attachments: [{ content: 42 as unknown as string }] },
      'attachments[0].content',
    ],
    [
      'a malformed content type',
      { ...base, attachments: [{ content: 'x', contentType: 'text' }] },
      'attachments[0].contentType',
    ],
    [
      'a multipart attachment type',
      { ...base, attachments: [{ content: 'x', contentType: 'multipart/mixed' }] },
      'attachments[0].contentType',
    ],
    [
      'a cid with spaces',
      { ...base, attachments: [{ content: 'x', cid: 'a b' }] },
      'attachments[0].cid',
    ],
    [
      'an unknown disposition',
      { ...base, attachments: [{ content: 'x', disposition: 'x' as 'inline' }] },
      'attachments[0].disposition',
    ],
    ['a non-http unsubscribe URL', { ...base, listUnsubscribe: 'ftp://x' }, 'listUnsubscribe.url'],
    [
      'one-click without https',
      { ...base, listUnsubscribe: { mailto: 'u@example.com', oneClick: true } },
      'listUnsubscribe.oneClick',
    ],
    ['a domain label too long once encoded', { ...base, to: `a@${'ü'.repeat(70)}.de` }, 'to'],
  ])('%s', (_, input, field) => {
    const err = mimeError(() => buildMessage(input))
    expect(err.field).toBe(field)
    expect(err.message).toContain(field)
    // getEnvelope validates the same input the same way.
    expect(mimeError(() => getEnvelope(input)).field).toBe(field)
  })

  test('an injected Message-ID random part or clock that cannot be written is a MimeError', () => {
    expect(mimeError(() => buildMessage(base, { messageIdRandom: () => 'x@y' })).field).toBe(
      'messageIdRandom',
    )
    expect(mimeError(() => buildMessage(base, { messageIdRandom: () => 'a b' })).field).toBe(
      'messageIdRandom',
    )
    const ancient = () => new Date('1850-01-01T00:00:00Z')
    expect(mimeError(() => buildMessage(base, { now: ancient })).field).toBe('now')
  })

  test('an injected boundary that occurs in the content is a MimeError', () => {
    const input = { ...base, text: 'x--b0x', html: '<p>x</p>' }
    expect(mimeError(() => buildMessage(input, { boundary: () => 'b0x' })).field).toBe('boundary')
  })

  test('an injected boundary that is too long or a prefix of another is a MimeError', () => {
    const input = { ...base, html: '<p>x</p>', attachments: [{ content: 'x' }] }
    expect(mimeError(() => buildMessage(input, { boundary: () => 'x'.repeat(71) })).field).toBe(
      'boundary',
    )
    expect(mimeError(() => buildMessage(input, { boundary: (i) => 'b'.repeat(i + 1) })).field).toBe(
      'boundary',
    )
  })
})

describe('hostile input', () => {
  test('100,000-character address inputs in every address field end in a result or a MimeError', () => {
    const n = 100_000
    const hostile = [
      '"'.repeat(n),
      '<'.repeat(n),
      '\\'.repeat(n),
      '('.repeat(n),
      ','.repeat(n),
      'a@'.repeat(n / 2),
      `${'a'.repeat(n)}@x.org`,
    ]
    for (const value of hostile) {
      for (const field of ['from', 'to', 'cc', 'bcc', 'replyTo', 'sender'] as const) {
        let outcome: unknown
        try {
          outcome = buildMessage({ ...base, [field]: value })
        } catch (err) {
          outcome = err
        }
        expect(typeof outcome === 'string' || outcome instanceof MimeError).toBe(true)
      }
    }
  })
})
