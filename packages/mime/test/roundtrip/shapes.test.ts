import { parseWithMailparser, parseWithPython } from '@mail/testkit'
import { describe, expect, test } from 'vitest'
import { buildMessage } from '../../src/index.js'
import {
  describeShape,
  shapeHtml as html,
  shapePdf as pdf,
  shapePng as png,
  type Shape,
  shapeInput,
  shapes,
  shapeText as text,
} from '../fixtures/messages.js'
import { type Expected, expectParsed, expectWellFormed, structure } from './helpers.js'

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

describe('every message shape round-trips through Python email and mailparser', () => {
  test.each(shapes.map((s) => [describeShape(s), s] as const))('%s', async (_, shape) => {
    const input = shapeInput(shape)
    const attachments = input.attachments!
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
