import { isClean } from './clean.js'
import { findOctet } from './octets.js'
import { CR, CRLF, DATA_END, DOT, LF } from './wire.js'

const TERMINATOR = new Uint8Array([DOT, CR, LF])

/**
 * Where a streamed message stands between two chunks: just after a CR (whose LF may come
 * next), and whether the next byte starts a line.
 */
export interface LineState {
  cr: boolean
  bol: boolean
}

/** The state at the start of a message. */
export function initialLineState(): LineState {
  return { cr: false, bol: true }
}

/**
 * Normalises line endings to CRLF (a bare CR and a bare LF each become CRLF) and, when
 * `dotStuff` is set, doubles a '.' that starts a line (RFC 5321 4.5.2). One pass; returns the
 * input itself when nothing changes, else one new buffer. Normalising first and stuffing the
 * normalised lines is what defeats SMTP smuggling ('\n.\n', '\r.\r' become stuffed lines).
 *
 * @example
 * encodeLines(bytes('a\n.b'), initialLineState(), true) // 'a\r\n..b'
 */
export function encodeLines(input: Uint8Array, state: LineState, dotStuff: boolean): Uint8Array {
  const n = input.length
  if (n === 0) return input
  if (!state.cr && isClean(input, state.bol, dotStuff)) {
    state.bol = input[n - 1] === LF
    return input
  }
  let out: Uint8Array | undefined
  let o = 0
  let copied = 0
  // Copies input[copied, at) then appends one byte; input[at...] is copied later.
  const insert = (at: number, byte: number) => {
    if (out === undefined) out = new Uint8Array(n * 2 + 2)
    out.set(input.subarray(copied, at), o)
    o += at - copied
    out[o++] = byte
    copied = at
  }
  // Where the current line starts, or -1 when inside a line.
  let lineStart = state.bol ? 0 : -1
  let i = 0
  if (state.cr && n > 0) {
    if (input[0] === LF) i = 1
    // RFC 5321 2.3.8: a bare CR is not a line ending; make it one.
    else insert(0, LF)
    lineStart = i
  }
  // Line breaks are found with native indexOf scans; only they and line starts cost JS work.
  let nextCr = findOctet(input, CR, i)
  let nextLf = findOctet(input, LF, i)
  for (;;) {
    if (lineStart >= 0 && lineStart < n) {
      if (dotStuff && input[lineStart] === DOT) insert(lineStart, DOT)
      lineStart = -1
    }
    if (nextCr < 0 && nextLf < 0) break
    if (nextCr >= 0 && (nextLf < 0 || nextCr < nextLf)) {
      const p = nextCr
      if (p + 1 === n) {
        state.cr = true
        state.bol = false
        return finish()
      }
      if (input[p + 1] === LF) {
        lineStart = p + 2
        nextLf = findOctet(input, LF, p + 2)
      } else {
        insert(p + 1, LF)
        lineStart = p + 1
      }
      nextCr = findOctet(input, CR, p + 1)
    } else {
      insert(nextLf, CR)
      lineStart = nextLf + 1
      nextLf = findOctet(input, LF, nextLf + 1)
    }
  }
  state.cr = false
  state.bol = lineStart === n
  return finish()

  function finish(): Uint8Array {
    if (out === undefined) return input
    out.set(input.subarray(copied), o)
    o += n - copied
    return out.subarray(0, o)
  }
}

/**
 * Dot-stuffing alone (RFC 5321 4.5.2), for content whose every line already ends in CRLF (a
 * source that declares `crlf`): a '.' that starts a line is doubled, and nothing else is looked
 * at, so a base64 body (which holds no '.') costs one native search per chunk. A '.' after any
 * CR or LF counts as starting a line, so even a source whose claim is false cannot put an
 * end-of-data look-alike ("\n.\r\n", "\r.\r\n": SMTP smuggling) on the wire. Returns the input
 * itself when it has no such '.', else one new buffer; `state` as for {@link encodeLines}.
 *
 * @example
 * stuffDots(bytes('a\r\n.b\r\n'), initialLineState()) // 'a\r\n..b\r\n'
 */
export function stuffDots(input: Uint8Array, state: LineState): Uint8Array {
  const n = input.length
  if (n === 0) return input
  const parts: Uint8Array[] = []
  let copied = 0
  for (let dot = findOctet(input, DOT, 0); dot >= 0; dot = findOctet(input, DOT, dot + 1)) {
    const before = dot === 0 ? (state.bol || state.cr ? LF : DOT) : input[dot - 1]
    if (before !== LF && before !== CR) continue
    // The '.' goes twice: once at the end of this part, once at the start of the next.
    parts.push(input.subarray(copied, dot + 1))
    copied = dot
  }
  passLines(input, state)
  if (parts.length === 0) return input
  parts.push(input.subarray(copied))
  const out = new Uint8Array(n + parts.length - 1)
  let o = 0
  for (const part of parts) {
    out.set(part, o)
    o += part.length
  }
  return out
}

/**
 * Content that needs no change (a `crlf` source, for BDAT) passes as it is: `state` only notes
 * where its last line stands, for the CRLF an unterminated last line still needs.
 */
export function passLines(input: Uint8Array, state: LineState): Uint8Array {
  const n = input.length
  if (n === 0) return input
  state.cr = input[n - 1] === CR
  state.bol = input[n - 1] === LF
  return input
}

/**
 * An ASCII message as text, when the text needs no change: every line ends in CRLF (no bare CR
 * or LF) and, for DATA, none starts with '.'. Returns it with its end (for DATA the end of data,
 * RFC 5321 4.1.1.4; for BDAT a CRLF only when the last line lacks one), else undefined (then
 * {@link encodeLines} does the work). Only native indexOf scans, and no copy of the message.
 *
 * @example
 * cleanText('a\r\nb\r\n', true) // 'a\r\nb\r\n.\r\n'
 * cleanText('a\r\nb', false)     // 'a\r\nb\r\n'
 * cleanText('a\n.b', true)        // undefined
 */
export function cleanText(text: string, dotStuff: boolean): string | undefined {
  const n = text.length
  if (n === 0) return dotStuff ? DATA_END : ''
  if (dotStuff && text.charCodeAt(0) === DOT) return undefined
  let lines = 0
  for (let lf = text.indexOf('\n'); lf >= 0; lf = text.indexOf('\n', lf + 1)) {
    // RFC 5321 2.3.8: a bare LF; 4.5.2: a line starting with '.'
    if (text.charCodeAt(lf - 1) !== CR) return undefined
    if (dotStuff && text.charCodeAt(lf + 1) === DOT) return undefined
    lines++
  }
  // Every LF has its CR, so any CR beyond that count is a bare CR.
  let crs = 0
  for (let cr = text.indexOf('\r'); cr >= 0; cr = text.indexOf('\r', cr + 1)) {
    if (++crs > lines) return undefined
  }
  const terminated = text.charCodeAt(n - 1) === LF
  if (!dotStuff) return terminated ? text : `${text}${CRLF}`
  return terminated ? `${text}${DATA_END}` : `${text}${CRLF}${DATA_END}`
}

/**
 * What ends the message: the LF of a trailing CR, a CRLF when the last line is unterminated,
 * and for DATA the '.' line (RFC 5321 4.1.1.4). Leaves `state` at a line start.
 */
export function endLines(state: LineState, dotStuff: boolean): Uint8Array {
  const parts: number[] = []
  if (state.cr) parts.push(LF)
  else if (!state.bol) parts.push(CR, LF)
  state.cr = false
  state.bol = true
  if (!dotStuff) return parts.length === 0 ? new Uint8Array(0) : new Uint8Array(parts)
  if (parts.length === 0) return TERMINATOR
  return new Uint8Array([...parts, DOT, CR, LF])
}
