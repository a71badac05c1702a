import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseWithPython } from '@mail/testkit'
import { expect, test } from 'vitest'
import { type BuildOptions, buildMessage, type MessageInput } from '../../src/index.js'

/** Deterministic mode: fixed boundaries, Message-ID and clock. */
export const deterministic: BuildOptions = {
  boundary: (i) => `=_golden_${i}`,
  messageIdRandom: () => 'golden-1',
  now: () => new Date('2026-11-28T20:10:50Z'),
}

const png = Uint8Array.from({ length: 120 }, (_, i) => (i * 37 + 11) & 255)

/** One message with every feature: the full nesting, encoded headers, RFC 2231 names. */
export const everything: MessageInput = {
  from: 'Zoë Müller <zoe@bücher.example>',
  to: ['"Doe, Jane" <jane@example.org>', 'bob@example.net'],
  cc: 'undisclosed-recipients:;',
  bcc: 'hidden@example.com',
  replyTo: { name: 'Support Team', address: 'support@example.com' },
  subject: 'Grüße aus Köln: the quarterly report, with a subject long enough to fold',
  text: 'Hello Jane,\n\nthe report is attached.\n.\nFrom Zoë with = signs and trailing space \n',
  html: '<p>Hello <b>Jane</b>,</p>\n<p><img src="cid:logo@bücher.example" alt="logo"></p>\n',
  attachments: [
    { filename: 'logo.png', content: png, cid: 'logo@xn--bcher-kva.example' },
    { filename: 'Bericht März "final".pdf', content: png.subarray(0, 50) },
    { filename: 'notes.txt', content: 'line 1\nline 2\n' },
  ],
  headers: { 'X-Mailer': '@mail/mime', 'X-Tag': ['one', 'two'] },
  inReplyTo: '<parent@example.org>',
  references: ['<root@example.org>', '<parent@example.org>'],
  listUnsubscribe: { url: 'https://example.com/unsubscribe?u=42', mailto: 'unsub@example.com' },
}

const fixture = join(import.meta.dirname, 'everything.eml')

test('the full-featured message matches the golden .eml byte for byte', async () => {
  const raw = buildMessage(everything, deterministic)
  if (process.env.UPDATE_GOLDEN === '1') writeFileSync(fixture, raw)
  expect(raw).toBe(readFileSync(fixture, 'utf8'))
  expect((await parseWithPython(raw)).defects).toEqual([])
})
