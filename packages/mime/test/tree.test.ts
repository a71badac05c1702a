import { describe, expect, test } from 'vitest'
import { normalizeAttachment } from '../src/attachment.js'
import { buildTree, type Part } from '../src/tree.js'
import type { NormalizedMessage } from '../src/validate.js'

function message(extra: Partial<NormalizedMessage>): NormalizedMessage {
  return {
    smtputf8: false,
    from: [{ name: '', local: 'a', domain: 'example.com' }],
    sender: undefined,
    to: [],
    cc: [],
    bcc: [],
    replyTo: [],
    subject: undefined,
    text: undefined,
    html: undefined,
    attachments: [],
    headers: [],
    date: new Date(0),
    messageId: undefined,
    inReplyTo: undefined,
    references: undefined,
    listUnsubscribe: undefined,
    ...extra,
  }
}

/** The tree as nested type names, e.g. ['mixed', ['alternative', 'text/plain', 'text/html']]. */
function shape(part: Part): unknown {
  if (part.kind === 'multipart') return [part.subtype, ...part.children.map(shape)]
  return /^Content-Type: ([^;]+)/.exec(part.headers[0]!)![1]
}

const inline = normalizeAttachment({ filename: 'a.png', content: 'x', cid: 'a' }, 0)
const file = normalizeAttachment({ filename: 'b.pdf', content: 'x' }, 1)

describe('buildTree', () => {
  test('gives the full nesting when everything is present', () => {
    expect(
      shape(buildTree(message({ text: 't', html: 'h', attachments: [inline, file] }))),
    ).toEqual([
      'mixed',
      ['alternative', 'text/plain', ['related', 'text/html', 'image/png']],
      'application/pdf',
    ])
  })

  test('never makes a single-child multipart', () => {
    expect(shape(buildTree(message({ text: 't' })))).toBe('text/plain')
    expect(shape(buildTree(message({ html: 'h' })))).toBe('text/html')
    expect(shape(buildTree(message({ attachments: [file] })))).toBe('application/pdf')
    expect(shape(buildTree(message({ html: 'h', attachments: [inline] })))).toEqual([
      'related',
      'text/html',
      'image/png',
    ])
  })

  test('puts text first in multipart/alternative', () => {
    expect(shape(buildTree(message({ html: 'h', text: 't' })))).toEqual([
      'alternative',
      'text/plain',
      'text/html',
    ])
  })

  test('sends inline parts to multipart/mixed when there is no html to reference them', () => {
    expect(shape(buildTree(message({ text: 't', attachments: [inline] })))).toEqual([
      'mixed',
      'text/plain',
      'image/png',
    ])
  })

  test('writes an empty text part for a message with no body at all', () => {
    const root = buildTree(message({}))
    expect(shape(root)).toBe('text/plain')
    expect(root.kind === 'leaf' && root.body.join('')).toBe('')
  })

  test('fills attachment defaults: type from the filename, disposition from the cid', () => {
    expect(inline).toMatchObject({ contentType: 'image/png', disposition: 'inline', cid: 'a' })
    expect(file).toMatchObject({ contentType: 'application/pdf', disposition: 'attachment' })
    expect(normalizeAttachment({ content: new Uint8Array(1) }, 0).contentType).toBe(
      'application/octet-stream',
    )
    expect(normalizeAttachment({ filename: 'x.unknownext', content: 'x' }, 0).contentType).toBe(
      'application/octet-stream',
    )
    expect(normalizeAttachment({ filename: 'n.txt', content: 'x' }, 0).contentType).toBe(
      'text/plain; charset=utf-8',
    )
    expect(normalizeAttachment({ cid: '<x@y>', content: 'x' }, 0).cid).toBe('x@y')
  })
})
