/** Quoted-printable body encoding, RFC 2045 section 6.7. */

const HEX = '0123456789ABCDEF'
const ESCAPED: string[] = []
for (let i = 0; i < 256; i++) ESCAPED.push('=' + HEX[i >> 4] + HEX[i & 15])

/** RFC 2045 6.7 rule 5: encoded lines are at most 76 characters, soft-break '=' included. */
const MAX_LINE = 76
const ANY_LINE_BREAK = /\r\n|\r|\n/
/** A line that needs no escaping at all: printable ASCII except '=', plus space and tab. */
const PLAIN_LINE = /^[\x20-\x3c\x3e-\x7e\t]*$/

function isPlain(line: string): boolean {
  if (line.length > MAX_LINE || !PLAIN_LINE.test(line)) return false
  if (line.length === 0) return true
  const last = line.charCodeAt(line.length - 1)
  if (last === 32 || last === 9) return false
  return line.charCodeAt(0) !== 46 && !line.startsWith('From ')
}

/** Splits one line into atomic tokens: a literal character or one '=XX' per octet. */
function tokenize(line: string): string[] {
  const tokens: string[] = []
  for (let i = 0; i < line.length; i++) {
    let c = line.charCodeAt(i)
    if (c < 0x80) {
      // Rule 2: printable ASCII stands for itself; space and tab too, except at the end (rule 3).
      tokens.push((c >= 33 && c <= 126 && c !== 61) || c === 32 || c === 9 ? line[i]! : ESCAPED[c]!)
      continue
    }
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < line.length) {
      const d = line.charCodeAt(i + 1)
      if (d >= 0xdc00 && d <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00)
        i++
      }
    }
    if (c >= 0xd800 && c <= 0xdfff) c = 0xfffd // lone surrogate: what every TextEncoder writes
    // One token per octet: a soft break may fall between the octets of one character (they
    // are joined again before charset decoding).
    if (c < 0x800) {
      tokens.push(ESCAPED[0xc0 | (c >> 6)]!, ESCAPED[0x80 | (c & 63)]!)
    } else if (c < 0x10000) {
      tokens.push(ESCAPED[0xe0 | (c >> 12)]!, ESCAPED[0x80 | ((c >> 6) & 63)]!)
      tokens.push(ESCAPED[0x80 | (c & 63)]!)
    } else {
      tokens.push(ESCAPED[0xf0 | (c >> 18)]!, ESCAPED[0x80 | ((c >> 12) & 63)]!)
      tokens.push(ESCAPED[0x80 | ((c >> 6) & 63)]!, ESCAPED[0x80 | (c & 63)]!)
    }
  }
  return tokens
}

function encodeLine(line: string): string {
  if (isPlain(line)) return line
  const tokens = tokenize(line)
  const last = tokens.length - 1
  const lastToken = tokens[last]
  // Rule 3: whitespace at the end of an encoded line would be stripped in transport.
  if (lastToken === ' ' || lastToken === '\t') tokens[last] = ESCAPED[lastToken.charCodeAt(0)]!
  const out: string[] = []
  let width = 0
  for (let t = 0; t <= last; t++) {
    let token = tokens[t]!
    const room = t === last ? MAX_LINE : MAX_LINE - 1
    if (width + token.length > room) {
      out.push('=\r\n')
      width = 0
    }
    if (width === 0) token = guardLineStart(token, tokens, t)
    out.push(token)
    width += token.length
  }
  return out.join('')
}

/**
 * A physical line starting with '.' can be eaten by a transport that does not dot-stuff, and one
 * starting with 'From ' is mangled by mbox storage; escaping the first character protects both.
 */
function guardLineStart(token: string, tokens: string[], t: number): string {
  if (token === '.') return '=2E'
  if (
    token === 'F' &&
    tokens[t + 1] === 'r' &&
    tokens[t + 2] === 'o' &&
    tokens[t + 3] === 'm' &&
    tokens[t + 4] === ' '
  ) {
    return '=46'
  }
  return token
}

/**
 * Encodes text (any line endings) as quoted-printable: the text's UTF-8 octets, CRLF hard line
 * breaks, '=' soft breaks so no line exceeds 76 characters.
 */
export function encodeQuotedPrintable(text: string): string {
  const lines = text.split(ANY_LINE_BREAK)
  for (let i = 0; i < lines.length; i++) lines[i] = encodeLine(lines[i]!)
  return lines.join('\r\n')
}
