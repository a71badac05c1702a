/** MIME header parameters: quoted-string (RFC 2045 section 5.1) or RFC 2231 extended values. */
import { utf8Encode } from '../encode/utf8.js'
import { FOLD_WIDTH } from '../policy.js'

const HEX = '0123456789ABCDEF'
/** Values a quoted-string carries as they are: printable ASCII without '"' or '\'. */
const QUOTABLE = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/
/** Longest value written as a plain quoted-string; longer ones use RFC 2231 continuations. */
const MAX_QUOTED = FOLD_WIDTH
/** Longest extended-value piece per parameter line, so each continuation fits in 78 columns. */
const MAX_PIECE = 60

/** RFC 2231 section 7: attribute-char, the octets an extended value leaves unescaped. */
function attributeChar(c: number): boolean {
  return (
    (c >= 48 && c <= 57) ||
    (c >= 65 && c <= 90) ||
    (c >= 97 && c <= 122) ||
    c === 33 ||
    (c >= 35 && c <= 36) ||
    c === 38 ||
    c === 43 ||
    c === 45 ||
    c === 46 ||
    (c >= 94 && c <= 96) ||
    c === 124 ||
    c === 126
  )
}

/** Percent-encodes one character's UTF-8 octets (a unit that is never split across pieces). */
function percentEncode(ch: string): string {
  if (ch.length === 1 && attributeChar(ch.charCodeAt(0))) return ch
  let s = ''
  for (const b of utf8Encode(ch)) s += '%' + HEX[b >> 4] + HEX[b & 15]
  return s
}

/** True when a value can be written as a plain quoted-string parameter. */
export function isPlainParamValue(value: string): boolean {
  return (
    value.length <= MAX_QUOTED &&
    QUOTABLE.test(value) &&
    // A quoted-string must not look like an encoded-word (RFC 2047 section 5 forbids them there,
    // and lenient decoders would decode it anyway), nor lose edge spaces to a trimming parser.
    !value.includes('=?') &&
    value.trim() === value
  )
}

/**
 * Formats one parameter as one or more `attr=value` pieces to be joined with `; `: a quoted
 * string when the value is plain ASCII, else RFC 2231 `attr*=utf-8''%XX…`, split into numbered
 * continuations (`attr*0*=`, `attr*1*=`…) when long. Never an encoded-word inside quotes.
 *
 * @example formatParam('filename', 'ü.txt') // ["filename*=utf-8''%C3%BC.txt"]
 */
export function formatParam(attribute: string, value: string): string[] {
  if (isPlainParamValue(value)) return [`${attribute}="${value}"`]
  const units: string[] = []
  let total = 0
  for (const ch of value) {
    const unit = percentEncode(ch.length === 1 && ch >= '\ud800' && ch <= '\udfff' ? '\ufffd' : ch)
    units.push(unit)
    total += unit.length
  }
  if (total <= MAX_PIECE) return [`${attribute}*=utf-8''${units.join('')}`]
  // RFC 2231 section 3: continuations are numbered from 0; '*' after the number marks each
  // encoded piece, and only the first carries the charset.
  const pieces: string[] = []
  let piece = "utf-8''"
  for (const unit of units) {
    if (piece.length + unit.length > MAX_PIECE && piece !== "utf-8''") {
      pieces.push(piece)
      piece = ''
    }
    piece += unit
  }
  pieces.push(piece)
  return pieces.map((p, i) => `${attribute}*${i}*=${p}`)
}
