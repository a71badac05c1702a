import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { buildMessage, type MessageInput, MimeError } from '../src/index.js'

const base: MessageInput = { from: 'alice@example.com', to: 'bob@example.org', text: 'hi' }

/** A string with at least one CR, LF or NUL somewhere in it: an injection attempt. */
const injected = fc
  .tuple(
    fc.string({ maxLength: 30 }),
    fc.constantFrom('\r', '\n', '\0', '\r\n', '\r\nBcc: victim@example.com\r\n', '\n.\n'),
    fc.string({ maxLength: 30 }),
  )
  .map(([a, bad, b]) => a + bad + b)

/** Each single-line field, with the field name MimeError must report. */
const fields: [string, (s: string) => MessageInput][] = [
  ['subject', (s) => ({ ...base, subject: s })],
  ['from', (s) => ({ ...base, from: s })],
  ['from', (s) => ({ ...base, from: { name: s, address: 'alice@example.com' } })],
  ['from', (s) => ({ ...base, from: { address: `a${s}@example.com` } })],
  ['sender', (s) => ({ ...base, sender: s })],
  ['to', (s) => ({ ...base, to: `bob@example.org, ${s}` })],
  ['to[1]', (s) => ({ ...base, to: ['bob@example.org', { name: s, address: 'c@example.org' }] })],
  ['cc[0]', (s) => ({ ...base, cc: [`Carol ${s} <carol@example.org>`] })],
  ['bcc', (s) => ({ ...base, bcc: s })],
  ['replyTo', (s) => ({ ...base, replyTo: s })],
  ['headers.X-Custom', (s) => ({ ...base, headers: { 'X-Custom': s } })],
  ['headers.X-Custom', (s) => ({ ...base, headers: { 'X-Custom': ['fine', s] } })],
  ['messageId', (s) => ({ ...base, messageId: s })],
  ['inReplyTo', (s) => ({ ...base, inReplyTo: s })],
  ['references', (s) => ({ ...base, references: s })],
  ['references[1]', (s) => ({ ...base, references: ['<a@b>', s] })],
  ['attachments[0].filename', (s) => ({ ...base, attachments: [{ filename: s, content: 'x' }] })],
  ['attachments[0].cid', (s) => ({ ...base, attachments: [{ cid: s, content: 'x' }] })],
  [
    'attachments[0].contentType',
    (s) => ({ ...base, attachments: [{ contentType: s, content: 'x' }] }),
  ],
  ['listUnsubscribe.url', (s) => ({ ...base, listUnsubscribe: { url: s } })],
  ['listUnsubscribe.mailto', (s) => ({ ...base, listUnsubscribe: { mailto: s } })],
]

describe('CR, LF or NUL in any single-line field always throws MimeError naming that field', () => {
  test.each(fields.map(([field, make], i) => [`${field} (#${i})`, field, make] as const))(
    '%s',
    (_, field, make) => {
      fc.assert(
        fc.property(injected, (s) => {
          let error: unknown
          try {
            buildMessage(make(s))
          } catch (err) {
            error = err
          }
          expect(error).toBeInstanceOf(MimeError)
          expect((error as MimeError).field).toBe(field)
          expect((error as MimeError).message).toContain(field)
        }),
        { numRuns: 10_000 },
      )
    },
  )
})
