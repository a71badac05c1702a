/**
 * The one serializer: writes the part tree once into pieces (header blocks, boundaries, encoded
 * text, and attachment octets still to be base64-encoded). `joinPieces` makes them the string
 * buildMessage returns; ./stream.ts streams the same pieces, so both outputs are the same bytes.
 */
import { assignBoundaries } from './boundary.js'
import { pushBase64Body } from './encode/base64.js'
import { LINE_OCTETS, LINE_STRIDE } from './encode/base64-lines.js'
import { utf8Length } from './encode/utf8.js'
import { foldHeader } from './header/fold.js'
import { CRLF } from './policy.js'
import type { BodyPiece, MultipartPart, Part } from './tree.js'

function partHeaders(part: Part, boundaries: Map<MultipartPart, string>): string[] {
  if (part.kind === 'leaf') return part.headers
  let value = `multipart/${part.subtype}; boundary="${boundaries.get(part)}"`
  // RFC 2387 section 3.1: multipart/related names the type of its root part.
  if (part.subtype === 'related') value += '; type="text/html"'
  return [foldHeader('Content-Type', value, 'boundary')]
}

function emitBody(part: Part, boundaries: Map<MultipartPart, string>, out: BodyPiece[]): void {
  if (part.kind === 'leaf') {
    for (const piece of part.body) out.push(piece)
    return
  }
  const boundary = boundaries.get(part)!
  for (const child of part.children) {
    // RFC 2046 5.1.1: the CRLF before each delimiter belongs to the delimiter.
    out.push('--', boundary, CRLF, partHeaders(child, boundaries).join(CRLF), CRLF + CRLF)
    emitBody(child, boundaries, out)
    out.push(CRLF)
  }
  out.push('--', boundary, '--')
}

/**
 * The whole message in pieces: the message header fields, the root part's content fields, a
 * blank line and the body. CRLF everywhere, and the message always ends with CRLF: after the
 * close delimiter of a multipart, or after the last line of a single part's body.
 */
export function serializeMessage(
  messageHeaders: string[],
  root: Part,
  boundary: ((index: number) => string) | undefined,
): BodyPiece[] {
  const boundaries = assignBoundaries(root, boundary)
  const out: BodyPiece[] = [
    messageHeaders.join(CRLF),
    CRLF,
    partHeaders(root, boundaries).join(CRLF),
    CRLF + CRLF,
  ]
  emitBody(root, boundaries, out)
  // RFC 5322 2.1 and RFC 5321 4.1.1.4: every line ends in CRLF; SMTP would otherwise add one
  // itself, and a DKIM body hash over an unterminated last line differs between verifiers.
  // Only a single-part attachment ends a message with base64 (whose length a stream may not
  // know yet): its last line gets the CRLF when it has one.
  const last = out.findLast((piece) => piece !== '')!
  if (typeof last !== 'string') last.terminated = true
  else if (!last.endsWith(CRLF)) out.push(CRLF)
  return out
}

/**
 * The pieces as one string, the message buildMessage returns; every attachment must be in
 * memory. Concatenation, not join: engines link the pieces instead of copying them, so a
 * message with large attachments never holds its encoded body twice.
 */
export function joinPieces(pieces: readonly BodyPiece[]): string {
  let raw = ''
  const lines: string[] = []
  for (const piece of pieces) {
    if (typeof piece === 'string') {
      raw += piece
      continue
    }
    const bytes = piece.octets as Uint8Array
    lines.length = 0
    pushBase64Body(bytes, lines)
    for (const line of lines) raw += line
    if (piece.terminated && bytes.length > 0) raw += CRLF
  }
  return raw
}

/** Octets of the base64 body of `size` octets: 76-character lines, CRLF between them. */
export function base64BodyLength(size: number): number {
  if (size === 0) return 0
  const lines = Math.ceil(size / LINE_OCTETS)
  return (lines - 1) * LINE_STRIDE + Math.ceil((size - (lines - 1) * LINE_OCTETS) / 3) * 4
}

/** Octets of the serialized message, or undefined when a source's length is not known. */
export function piecesSize(pieces: readonly BodyPiece[]): number | undefined {
  let size = 0
  for (const piece of pieces) {
    if (typeof piece === 'string') size += utf8Length(piece)
    else if (piece.size === undefined) return undefined
    else size += base64BodyLength(piece.size) + (piece.terminated && piece.size > 0 ? 2 : 0)
  }
  return size
}
