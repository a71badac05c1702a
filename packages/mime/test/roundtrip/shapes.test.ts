import { parseWithMailparser, parseWithPython } from '@mail/testkit'
import { describe, expect, test } from 'vitest'
import { type Attachment, buildMessage, type MessageInput } from '../../src/index.js'
import { type Expected, expectParsed, expectWellFormed, structure } from './helpers.js'

const png = new Uint8Array(2048).map((_, i) => (i * 13 + 5) & 255)
const pdf = new Uint8Array(5000).map((_, i) => (i * 7) & 255)
const text =
  'Hello Bob,\n\nthe report is attached.\r\nGrüße, Alice\n.\nFrom here on, all is well.\n'
const html = '<p>Hello <b>Bob</b>, <img src="cid:logo@example.com"> Grüße</p>\n'
const inline: Attachment = { filename: 'logo.png', content: png, cid: 'logo@example.com' }
const file: Attachment = { filename: 'Bericht März.pdf', content: pdf }
const note: Attachment = { filename: 'notes.txt', content: 'line 1\nline 2\n' }

type Shape = { text?: boolean; html?: boolean; inline?: boolean; files?: boolean }

/** Expected Content-Type sequence for a shape: the full nesting minus what is absent. */
function expectedStructure(s: Shape): string[] {
  const htmlPart = s.html
    ? s.inline
      ? ['multipart/related', 'text/html', 'image/png']
      : ['text/html']
    : []
  const textPart = s.text ? ['text/plain'] : []
  const body =
    s.text && s.html
      ? ['multipart/alternative', ...textPart, ...htmlPart]
      : [...textPart, ...htmlPart]
  const looseInline = s.inline && !s.html ? ['image/png'] : []
  const files = s.files ? ['application/pdf', 'text/plain'] : []
  const mixedChildren = (body.length > 0 ? 1 : 0) + looseInline.length + files.length / 1
  const leaves = [...body, ...looseInline, ...files]
  if (leaves.length === 0) return ['text/plain']
  return mixedChildren > 1 ? ['multipart/mixed', ...leaves] : leaves
}

const shapes: Shape[] = []
for (let bits = 0; bits < 16; bits++) {
  shapes.push({ text: !!(bits & 1), html: !!(bits & 2), inline: !!(bits & 4), files: !!(bits & 8) })
}

function describeShape(s: Shape): string {
  const parts = Object.entries(s)
    .filter(([, v]) => v)
    .map(([k]) => k)
  return parts.length === 0 ? 'no body at all' : parts.join(' + ')
}

describe('every message shape round-trips through Python email and mailparser', () => {
  test.each(shapes.map((s) => [describeShape(s), s] as const))('%s', async (_, shape) => {
    const attachments: Attachment[] = []
    if (shape.inline) attachments.push(inline)
    if (shape.files) attachments.push(file, note)
    const input: MessageInput = {
      from: 'Alice Müller <alice@example.com>',
      to: ['"Doe, Jane" <jane@example.org>', 'bob@example.net'],
      cc: { name: 'Zoë', address: 'zoe@example.com' },
      bcc: 'hidden@example.com',
      replyTo: 'replies@example.com',
      subject: 'Quarterly report: Grüße aus Köln',
      ...(shape.text && { text }),
      ...(shape.html && { html }),
      attachments,
    }
    const raw = buildMessage(input)
    expectWellFormed(raw)
    expect(raw).not.toContain('hidden@example.com')
    expect(structure(raw)).toEqual(expectedStructure(shape))
    const bodyless = !shape.text && !shape.html && attachments.length === 0
    const expected: Expected = {
      subject: 'Quarterly report: Grüße aus Köln',
      from: [{ name: 'Alice Müller', address: 'alice@example.com' }],
      to: [
        { name: 'Doe, Jane', address: 'jane@example.org' },
        { name: '', address: 'bob@example.net' },
      ],
      cc: [{ name: 'Zoë', address: 'zoe@example.com' }],
      replyTo: [{ name: '', address: 'replies@example.com' }],
      ...(shape.text && { text }),
      ...(bodyless && { text: '' }),
      ...(shape.html && { html }),
      attachments: [
        ...(shape.inline
          ? [
              {
                filename: 'logo.png',
                contentType: 'image/png',
                content: png,
                cid: 'logo@example.com',
              },
            ]
          : []),
        ...(shape.files
          ? [
              { filename: 'Bericht März.pdf', contentType: 'application/pdf', content: pdf },
              {
                filename: 'notes.txt',
                contentType: 'text/plain',
                content: new TextEncoder().encode('line 1\nline 2\n'),
              },
            ]
          : []),
      ],
    }
    expectParsed(await parseWithPython(raw), expected, 'python')
    expectParsed(await parseWithMailparser(raw), expected, 'mailparser')
  })
})
