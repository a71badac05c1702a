import type { ServerResponse } from 'node:http'

/**
 * The page: its own scripts, styles and images only; it talks to its own API and frames only
 * its own message view. Nothing inline, nothing remote.
 */
export const PAGE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
  "connect-src 'self'; frame-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

/** JSON, raw messages and attachments: never a document that runs anything. */
export const DATA_CSP = "default-src 'none'; frame-ancestors 'none'; sandbox"

/** Headers on every response, whatever it carries. */
export function secure(res: ServerResponse, csp: string): void {
  res.setHeader('Content-Security-Policy', csp)
  res.setHeader('X-Content-Type-Options', 'nosniff')
  res.setHeader('Referrer-Policy', 'no-referrer')
  res.setHeader('Cache-Control', 'no-store')
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body)
  secure(res, DATA_CSP)
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
  })
  res.end(text)
}

export function sendError(res: ServerResponse, status: number, error: string): void {
  sendJson(res, status, { error })
}

export function sendNoContent(res: ServerResponse): void {
  secure(res, DATA_CSP)
  res.writeHead(204)
  res.end()
}

export function sendBytes(
  res: ServerResponse,
  body: Uint8Array | string,
  headers: Record<string, string>,
  csp = DATA_CSP,
): void {
  secure(res, csp)
  res.writeHead(200, { ...headers, 'Content-Length': Buffer.byteLength(body) })
  res.end(body)
}

// RFC 8187 3.2.1 attr-char: what may stand unencoded in an ext-value.
const ATTR_CHAR = /[A-Za-z0-9!#$&+\-.^_`|~]/

/**
 * `attachment; filename*=UTF-8''...` (RFC 6266 4.3, RFC 8187): every octet of the UTF-8 name
 * outside attr-char percent-encoded, so no quote, semicolon or line break can reach the header.
 *
 * @example
 * contentDisposition('Résumé 2026.pdf') // "attachment; filename*=UTF-8''R%C3%A9sum%C3%A9%202026.pdf"
 */
export function contentDisposition(filename: string): string {
  let encoded = ''
  for (const byte of Buffer.from(filename, 'utf8')) {
    const char = String.fromCharCode(byte)
    encoded +=
      byte < 0x80 && ATTR_CHAR.test(char)
        ? char
        : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`
  }
  return `attachment; filename*=UTF-8''${encoded}`
}

// RFC 2045 5.1: type "/" subtype, each a token. A message may say anything here; only a
// well-formed type goes into a header.
const MEDIA_TYPE = /^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/

/** The attachment's type when it is well formed, else `application/octet-stream`. */
export function safeContentType(type: string): string {
  return MEDIA_TYPE.test(type) ? type : 'application/octet-stream'
}
