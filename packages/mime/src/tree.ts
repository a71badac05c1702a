/**
 * The part tree: mixed(alternative(text, related(html, inline…)), attachments…) and every
 * subset of it, never with an empty or single-child multipart. Text bodies are encoded here,
 * once; attachment octets stay as they are until the message is serialized (as a string, or
 * streamed), which writes their base64 lines.
 */
import type { NormalizedAttachment } from './attachment.js'
import type { LazySource } from './content.js'
import { chooseTextEncoding, pushTextBody } from './encode/text-body.js'
import { foldHeader } from './header/fold.js'
import { formatParam } from './header/params.js'
import type { NormalizedMessage } from './validate.js'

/** An attachment's octets, to be written as base64 body lines (RFC 2045 section 6.8). */
export interface Base64Body {
  octets: Uint8Array | LazySource
  /** Octets, when known before reading (bytes and Blobs). */
  size: number | undefined
  /** The attachment's field ('attachments[2]'), for errors while reading a source. */
  field: string
  /** Ends the last line with CRLF too: set when the body ends the message. */
  terminated: boolean
}

/** A piece of a body: encoded text, or octets still to be encoded. */
export type BodyPiece = string | Base64Body

export interface LeafPart {
  kind: 'leaf'
  /** Folded header fields, without line endings. */
  headers: string[]
  /** The body in pieces, CRLF line endings, no trailing CRLF. */
  body: BodyPiece[]
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
  const octets = a.bytes ?? a.source!
  const body: Base64Body = { octets, size: a.size, field: a.field, terminated: false }
  return { kind: 'leaf', headers, body: [body], freeText: false }
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
