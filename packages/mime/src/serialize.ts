/** Writes the part tree once into the final string: header blocks, boundaries, bodies. */
import { assignBoundaries } from './boundary.js'
import { foldHeader } from './header/fold.js'
import type { MultipartPart, Part } from './tree.js'

function partHeaders(part: Part, boundaries: Map<MultipartPart, string>): string[] {
  if (part.kind === 'leaf') return part.headers
  let value = `multipart/${part.subtype}; boundary="${boundaries.get(part)}"`
  // RFC 2387 section 3.1: multipart/related names the type of its root part.
  if (part.subtype === 'related') value += '; type="text/html"'
  return [foldHeader('Content-Type', value, 'boundary')]
}

function emitBody(part: Part, boundaries: Map<MultipartPart, string>, out: string[]): void {
  if (part.kind === 'leaf') {
    for (const piece of part.body) out.push(piece)
    return
  }
  const boundary = boundaries.get(part)!
  for (const child of part.children) {
    // RFC 2046 5.1.1: the CRLF before each delimiter belongs to the delimiter.
    out.push('--', boundary, '\r\n', partHeaders(child, boundaries).join('\r\n'), '\r\n\r\n')
    emitBody(child, boundaries, out)
    out.push('\r\n')
  }
  out.push('--', boundary, '--')
}

/**
 * The whole message: the message header fields, the root part's content fields, a blank line
 * and the body, joined once. CRLF everywhere, and the message always ends with CRLF: after the
 * close delimiter of a multipart, or after the last line of a single part's body.
 */
export function serializeMessage(
  messageHeaders: string[],
  root: Part,
  boundary: ((index: number) => string) | undefined,
): string {
  const boundaries = assignBoundaries(root, boundary)
  const out: string[] = [
    messageHeaders.join('\r\n'),
    '\r\n',
    partHeaders(root, boundaries).join('\r\n'),
    '\r\n\r\n',
  ]
  emitBody(root, boundaries, out)
  // RFC 5322 2.1 and RFC 5321 4.1.1.4: every line ends in CRLF; SMTP would otherwise add one
  // itself, and a DKIM body hash over an unterminated last line differs between verifiers.
  const last = out.findLast((piece) => piece !== '')!
  if (!last.endsWith('\r\n')) out.push('\r\n')
  // Concatenation, not join: engines link the pieces instead of copying them, so a message
  // with large attachments never holds its encoded body twice.
  let raw = ''
  for (const piece of out) raw += piece
  return raw
}
