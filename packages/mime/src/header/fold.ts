/** Header folding, RFC 5322 section 2.2.3. */
import { utf8Length } from '../encode/utf8.js'
import { MimeError } from '../errors.js'
import { CRLF, ENCODED_WIDTH, FOLD_WIDTH, MAX_LINE } from '../policy.js'

function isWsp(c: number): boolean {
  return c === 32 || c === 9
}

/**
 * Writes `Name: value` as one header field, folded by inserting CRLF before existing whitespace
 * (so unfolding restores the value exactly) to keep lines within 78 characters where a break
 * exists (76 when the value holds RFC 2047 encoded-words). A break never leaves a
 * whitespace-only line, and never falls right after the colon.
 * Throws MimeError naming `field` if some line would still exceed 998 octets.
 *
 * @example foldHeader('Subject', 'a b', 'subject') // 'Subject: a b'
 */
export function foldHeader(name: string, value: string, field: string): string {
  const line = value === '' ? name + ':' : name + ': ' + value
  const limit = value.includes('=?') ? ENCODED_WIDTH : FOLD_WIDTH
  if (line.length <= limit) return line
  const parts: string[] = []
  let start = 0
  let candidate = -1
  const first = name.length + 2
  for (let i = first; i < line.length; i++) {
    if (!isWsp(line.charCodeAt(i))) continue
    let end = i + 1
    while (end < line.length && isWsp(line.charCodeAt(end))) end++
    if (end < line.length) {
      if (i - start > limit && candidate > start) {
        parts.push(line.slice(start, candidate))
        start = candidate
      }
      if (i - start > limit) {
        parts.push(line.slice(start, i))
        start = i
      }
      candidate = i
    }
    i = end - 1
  }
  if (line.length - start > limit && candidate > start) {
    parts.push(line.slice(start, candidate))
    start = candidate
  }
  parts.push(line.slice(start))
  for (const part of parts) {
    // Lengths are in octets: raw UTF-8 (RFC 6532 addresses) takes up to 3 per UTF-16 unit.
    if (part.length > MAX_LINE / 3 && utf8Length(part) > MAX_LINE) {
      throw new MimeError(field, `does not fit in a ${MAX_LINE}-character header line`)
    }
  }
  return parts.join(CRLF)
}
