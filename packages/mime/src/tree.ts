/**
 * The part tree: mixed(alternative(text, related(html, inline…)), attachments…) and every
 * subset of it, never with an empty or single-child multipart. Leaf bodies are encoded here,
 * once; the serializer only adds boundaries and joins.
 */
import type { NormalizedAttachment } from './attachment.js'
import { pushBase64Body } from './encode/base64.js'
import { chooseTextEncoding, pushTextBody } from './encode/text-body.js'
import { foldHeader } from './header/fold.js'
import { formatParam } from './header/params.js'
import type { NormalizedMessage } from './validate.js'

export interface LeafPart {
  kind: 'leaf'
  /** Folded header fields, without line endings. */
  headers: string[]
  /** The encoded body in pieces, CRLF line endings, no trailing CRLF. */
  body: string[]
  /** True for 7bit bodies: arbitrary text that a boundary must be checked against. */
  freeText: boolean
}

export interface MultipartPart {
  kind: 'multipart'
  subtype: 'mixed' | 'alternative' | 'related'
  children: Part[]
}

export type Part = LeafPart | MultipartPart

function textPart(text: string, subtype: 'plain' | 'html'): LeafPart {
  const encoding = chooseTextEncoding(text)
  const body: string[] = []
  pushTextBody(text, encoding, body)
  return {
    kind: 'leaf',
    headers: [
      `Content-Type: text/${subtype}; charset=utf-8`,
      `Content-Transfer-Encoding: ${encoding}`,
    ],
    body,
    freeText: encoding === '7bit',
  }
}

function attachmentPart(a: NormalizedAttachment): LeafPart {
  const type = [a.contentType]
  const disposition: string[] = [a.disposition]
  if (a.filename !== undefined) {
    // RFC 2183 filename and the older RFC 2045 name, so every client finds one of them.
    for (const p of formatParam('name', a.filename)) type.push(p)
    for (const p of formatParam('filename', a.filename)) disposition.push(p)
  }
  const headers = [
    foldHeader('Content-Type', type.join('; '), `${a.field}.filename`),
    `Content-Transfer-Encoding: ${a.message?.encoding ?? 'base64'}`,
    foldHeader('Content-Disposition', disposition.join('; '), `${a.field}.filename`),
  ]
  if (a.cid !== undefined) headers.push(foldHeader('Content-ID', `<${a.cid}>`, `${a.field}.cid`))
  if (a.message !== undefined) {
    return { kind: 'leaf', headers, body: [a.message.text], freeText: true }
  }
  const body: string[] = []
  pushBase64Body(a.bytes, body)
  return { kind: 'leaf', headers, body, freeText: false }
}

function multipart(subtype: MultipartPart['subtype'], children: Part[]): Part {
  return children.length === 1 ? children[0]! : { kind: 'multipart', subtype, children }
}

/** The root part of a validated message. */
export function buildTree(message: NormalizedMessage): Part {
  const html = message.html === undefined ? undefined : textPart(message.html, 'html')
  const related: Part[] = []
  const mixed: Part[] = []
  for (const a of message.attachments) {
    // RFC 2387: parts referenced by cid from the html travel with it in multipart/related.
    if (html !== undefined && a.cid !== undefined) related.push(attachmentPart(a))
    else mixed.push(attachmentPart(a))
  }
  const alternative: Part[] = []
  if (message.text !== undefined) alternative.push(textPart(message.text, 'plain'))
  if (html !== undefined) alternative.push(multipart('related', [html, ...related]))
  // RFC 2046 5.1.4: alternatives in increasing preference, so text first and html last.
  if (alternative.length > 0) mixed.unshift(multipart('alternative', alternative))
  if (mixed.length === 0) return textPart('', 'plain')
  return multipart('mixed', mixed)
}
