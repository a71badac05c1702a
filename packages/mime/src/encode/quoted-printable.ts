/** Quoted-printable body encoding, RFC 2045 section 6.7. */
import { CRLF, ENCODED_WIDTH } from '../policy.js'

const HEX = '0123456789ABCDEF'
const ESCAPED: string[] = []
for (let i = 0; i < 256; i++) ESCAPED.push('=' + HEX[i >> 4] + HEX[i & 15])

const ANY_LINE_BREAK = /\r\n|\r|\n/
/** A line that needs no escaping at all: printable ASCII except '=', plus space and tab. */
const PLAIN_LINE = /^[\x20-\x3c\x3e-\x7e\t]*$/

function isPlain(line: string): boolean {
  if (line.length > ENCODED_WIDTH || !PLAIN_LINE.test(line)) return false
  if (line.length === 0) return true
  const last = line.charCodeAt(line.length - 1)
  if (last === 32 || last === 9) return false
  return line.charCodeAt(0) !== 46 && !line.startsWith('From ')
}

/**
 * Encodes one line (no line breaks) in a single pass. Each token (a literal character or one
 * '=XX' per octet) is placed whole, with a soft break first when it would not fit.
 */
function encodeLine(line: string): string {
  if (isPlain(line)) return line
  const n = line.length
  let out = ''
  let width = 0
  // Places one token; `last` is the final token of the line, which needs no room for a '='.
  const put = (token: string, i: number, last: boolean) => {
    // RFC 2045 6.7 rule 5: the soft line break's '=' counts towards the 76 characters.
    if (width + token.length > (last ? ENCODED_WIDTH : ENCODED_WIDTH - 1)) {
      out += '=' + CRLF
      width = 0
    }
    if (width === 0) token = guardLineStart(token, line, i)
    out += token
    width += token.length
  }
  for (let i = 0; i < n; i++) {
    let c = line.charCodeAt(i)
    if (c < 0x80) {
      // Rule 2: printable ASCII stands for itself; rule 3: space and tab too, except at the end.
      const literal = (c >= 33 && c <= 126 && c !== 61) || ((c === 32 || c === 9) && i !== n - 1)
      put(literal ? line[i]! : ESCAPED[c]!, i, i === n - 1)
      continue
    }
    const start = i
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < n) {
      const d = line.charCodeAt(i + 1)
      if (d >= 0xdc00 && d <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00)
        i++
      }
    }
    if (c >= 0xd800 && c <= 0xdfff) c = 0xfffd // lone surrogate: what every TextEncoder writes
    const last = i === n - 1
    // One token per octet: a soft break may fall between the octets of one character (they
    // are joined again before charset decoding).
    if (c < 0x800) {
      put(ESCAPED[0xc0 | (c >> 6)]!, start, false)
    } else if (c < 0x10000) {
      put(ESCAPED[0xe0 | (c >> 12)]!, start, false)
      put(ESCAPED[0x80 | ((c >> 6) & 63)]!, start, false)
    } else {
      put(ESCAPED[0xf0 | (c >> 18)]!, start, false)
      put(ESCAPED[0x80 | ((c >> 12) & 63)]!, start, false)
      put(ESCAPED[0x80 | ((c >> 6) & 63)]!, start, false)
    }
    put(ESCAPED[0x80 | (c & 63)]!, start, last)
  }
  return out
}

/**
 * A physical line starting with '.' can be eaten by a transport that does not dot-stuff, and one
 * starting with 'From ' is mangled by mbox storage; escaping the first character protects both.
 */
function guardLineStart(token: string, line: string, i: number): string {
  if (token === '.') return '=2E'
  if (token === 'F' && line.startsWith('rom ', i + 1)) return '=46'
  return token
}

/**
 * Encodes text (any line endings) as quoted-printable: the text's UTF-8 octets, CRLF hard line
 * breaks, '=' soft breaks so no line exceeds 76 characters.
 */
export function encodeQuotedPrintable(text: string): string {
  const lines = text.split(ANY_LINE_BREAK)
  for (let i = 0; i < lines.length; i++) lines[i] = encodeLine(lines[i]!)
  return lines.join(CRLF)
}
