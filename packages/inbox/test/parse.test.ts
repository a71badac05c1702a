import { attachmentPartLines } from '@mail/testkit'
import { describe, expect, it } from 'vitest'
import { parseMessage } from '../src/parse.js'
import type { StoredMeta } from '../src/store/types.js'

const meta = (raw: string): StoredMeta => ({
  id: '20261128T210000123Z-bbbbbb',
  receivedAt: new Date('2026-11-28T21:00:00.123Z'),
  envelope: { from: 'bounce@example.com', to: ['dave@example.org', 'hidden@example.net'] },
  size: Buffer.byteLength(raw),
})

const parse = (raw: string) => parseMessage(Buffer.from(raw), meta(raw))

const MIXED = [
  'From: =?utf-8?q?Caf=C3=A9?= Team <carol@example.com>',
  'To: Dave <dave@example.org>, friends: erin@example.org, frank@example.org;',
  'Cc: grace@example.org',
  'Subject: =?utf-8?q?Caf=C3=A9?= with files',
  'Date: Sat, 28 Nov 2026 22:00:00 +0100',
  'Message-ID: <m1@example.com>',
  'MIME-Version: 1.0',
  'Content-Type: multipart/mixed; boundary="b1"',
  '',
  '--b1',
  'Content-Type: text/html; charset=utf-8',
  '',
  '<p>See <img src="cid:logo@example.com"></p>',
  ...attachmentPartLines('b1'),
].join('\r\n')

describe('parseMessage', () => {
  it('decodes names and subject, flattens groups and gives ISO 8601 times', async () => {
    const { message } = await parse(MIXED)
    expect(message).toMatchObject({
      id: '20261128T210000123Z-bbbbbb',
      receivedAt: '2026-11-28T21:00:00.123Z',
      envelope: { from: 'bounce@example.com', to: ['dave@example.org', 'hidden@example.net'] },
      from: { name: 'Café Team', address: 'carol@example.com' },
      to: [
        { name: 'Dave', address: 'dave@example.org' },
        { address: 'erin@example.org' },
        { address: 'frank@example.org' },
      ],
      cc: [{ address: 'grace@example.org' }],
      subject: 'Café with files',
      date: '2026-11-28T21:00:00.000Z',
      messageId: '<m1@example.com>',
      html: '<p>See <img src="cid:logo@example.com"></p>\n',
      size: Buffer.byteLength(MIXED),
    })
    expect(message.text).toBeUndefined()
  })

  it('lists every attachment, inline parts included, with their decoded sizes and bytes', async () => {
    const { message, contents } = await parse(MIXED)
    expect(message.attachments).toEqual([
      {
        filename: 'report.pdf',
        contentType: 'application/pdf',
        size: 13,
        disposition: 'attachment',
      },
      {
        filename: 'logo.png',
        contentType: 'image/png',
        size: 9,
        cid: 'logo@example.com',
        disposition: 'inline',
      },
    ])
    expect(contents.map((c) => Buffer.from(c).toString())).toEqual(['%PDF-1.4 test', 'png bytes'])
  })

  it('keeps every header field in order, unfolded and decoded', async () => {
    const { message } = await parse(
      'Subject: =?utf-8?B?w6k=?=\r\n folded\r\nX-Thing: a\r\nX-Thing: b\r\n\r\nbody\r\n',
    )
    expect(message.headers).toEqual([
      { name: 'Subject', value: 'é folded' },
      { name: 'X-Thing', value: 'a' },
      { name: 'X-Thing', value: 'b' },
    ])
    expect(message.text).toBe('body\n')
  })

  it('says null for a missing or unreadable date and Message-ID, empty for no From', async () => {
    const { message } = await parse('Date: not a date\r\n\r\nhi\r\n')
    expect(message).toMatchObject({
      date: null,
      messageId: null,
      from: { address: '' },
      to: [],
      subject: '',
    })
  })
})
