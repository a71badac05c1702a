import { inputError } from '../errors.js'
import { findOctet } from './octets.js'
import { CR, LF, MAX_LINE_OCTETS } from './wire.js'

const encoder = new TextEncoder()
// Where Buffer exists (Node, Bun, Deno), latin1 turns an ASCII string into bytes with a copy;
// TextEncoder does the same job, slower, everywhere else.
const NodeBuffer = (
  globalThis as {
    Buffer?: { from(text: string, encoding: 'latin1'): Uint8Array }
  }
).Buffer
const asciiBytes =
  NodeBuffer === undefined
    ? (text: string) => encoder.encode(text)
    : (text: string) => NodeBuffer.from(text, 'latin1')
// A string is ASCII exactly when every character became one octet. encodeInto is native: on a
// 15 MB message, window by window, about 10x faster than the regular expression /[^\x00-\x7f]/.
const SCRATCH = new Uint8Array(16 * 1024)
const isAsciiText = (text: string): boolean => {
  for (let at = 0; at < text.length; at += SCRATCH.length) {
    // A window that cuts a surrogate pair leaves half of it, non-ASCII either way.
    const part =
      at === 0 && text.length <= SCRATCH.length ? text : text.slice(at, at + SCRATCH.length)
    const r = encoder.encodeInto(part, SCRATCH)
    if (r.read !== part.length || r.written !== part.length) return false
  }
  return true
}

/**
 * The message bytes as the transaction needs them: the size and 8-bit flag up front, the bytes
 * slice by slice. An ASCII string is encoded one slice at a time while it is sent, so a large
 * message is never held twice and its encoding overlaps the transfer.
 */
export interface MessageSource {
  /** In memory, as opposed to a streamed body (see `StreamedBody`). */
  readonly streamed?: false
  /** Octets. */
  readonly size: number
  /**
   * Octets once every line ends in CRLF, the last one included: the message size SIZE declares
   * and checks (RFC 1870 section 3: CRLF pairs count, the dot-stuffing and the final "." not).
   * Bare LFs and CRs are found by native scans, so a clean message costs two scans.
   */
  wireSize(): number
  /** An octet above 127 (RFC 6152). */
  readonly eightBit: boolean
  /** A NUL or a line over 998 octets: only BINARYMIME carries it faithfully (RFC 3030 3). */
  binary(): boolean
  /** The octets from `start` to `end`. */
  slice(start: number, end: number): Uint8Array
  /** The message itself when it was given as an ASCII string (one octet per character). */
  readonly text?: string
}

/** Wraps what `send` was given; a string is UTF-8. */
export function messageSource(raw: string | Uint8Array): MessageSource {
  if (typeof raw === 'string') {
    if (isAsciiText(raw)) return new TextSource(raw)
    return new BytesSource(encoder.encode(raw), true)
  }
  if (!(raw instanceof Uint8Array)) throw inputError('raw must be a string or a Uint8Array', 'raw')
  return new BytesSource(raw, hasEightBit(raw))
}

// Classes rather than object literals with closures: one small object per queued send.
class TextSource implements MessageSource {
  readonly size: number
  readonly eightBit = false
  private wire = -1

  constructor(readonly text: string) {
    this.size = text.length
  }

  wireSize(): number {
    if (this.wire < 0) {
      // Two native indexOf scans, each line break costing one comparison: a large clean
      // message is measured in a few milliseconds.
      const raw = this.text
      const n = raw.length
      let size = n
      for (let p = raw.indexOf('\n'); p >= 0; p = raw.indexOf('\n', p + 1)) {
        if (p === 0 || raw.charCodeAt(p - 1) !== CR) size++
      }
      for (let p = raw.indexOf('\r'); p >= 0; p = raw.indexOf('\r', p + 1)) {
        if (raw.charCodeAt(p + 1) !== LF) size++
      }
      const last = n > 0 ? raw.charCodeAt(n - 1) : LF
      this.wire = last === LF || last === CR ? size : size + 2
    }
    return this.wire
  }

  binary(): boolean {
    const raw = this.text
    return (
      raw.includes('\0') ||
      hasLongLine(
        (i) => raw.charCodeAt(i),
        raw.length,
        (p) => raw.indexOf('\n', p),
      )
    )
  }

  slice(start: number, end: number): Uint8Array {
    return asciiBytes(this.text.slice(start, end))
  }
}

class BytesSource implements MessageSource {
  readonly size: number
  private wire = -1

  constructor(
    private readonly bytes: Uint8Array,
    readonly eightBit: boolean,
  ) {
    this.size = bytes.length
  }

  wireSize(): number {
    if (this.wire < 0) {
      const bytes = this.bytes
      const n = bytes.length
      let size = n
      for (let p = findOctet(bytes, LF, 0); p >= 0; p = findOctet(bytes, LF, p + 1)) {
        if (p === 0 || bytes[p - 1] !== CR) size++
      }
      for (let p = findOctet(bytes, CR, 0); p >= 0; p = findOctet(bytes, CR, p + 1)) {
        if (bytes[p + 1] !== LF) size++
      }
      const last = n > 0 ? bytes[n - 1] : LF
      this.wire = last === LF || last === CR ? size : size + 2
    }
    return this.wire
  }

  binary(): boolean {
    const bytes = this.bytes
    return (
      bytes.indexOf(0) >= 0 ||
      hasLongLine(
        (i) => bytes[i]!,
        bytes.length,
        (p) => findOctet(bytes, LF, p),
      )
    )
  }

  slice(start: number, end: number): Uint8Array {
    return this.bytes.subarray(start, end)
  }
}

/** Any octet above 127, tested four octets at a time. */
export function hasEightBit(bytes: Uint8Array): boolean {
  const n = bytes.length
  let i = 0
  while (i < n && (bytes.byteOffset + i) % 4 !== 0) if (bytes[i++]! > 127) return true
  if (i >= n) return false
  const words = new Uint32Array(bytes.buffer, bytes.byteOffset + i, (n - i) >>> 2)
  let acc = 0
  for (let w = 0; w < words.length; w++) acc |= words[w]!
  if ((acc & 0x80808080) !== 0) return true
  for (let j = i + words.length * 4; j < n; j++) if (bytes[j]! > 127) return true
  return false
}

/**
 * Whether a line is longer than 998 octets once bare CRs count as line ends: LF positions come
 * from a native scan; only a stretch longer than the limit is looked at octet by octet.
 */
function hasLongLine(
  at: (i: number) => number,
  n: number,
  nextLf: (from: number) => number,
): boolean {
  let start = 0
  for (;;) {
    const lf = nextLf(start)
    const end = lf < 0 ? n : lf
    if (end - start > MAX_LINE_OCTETS) {
      let run = 0
      for (let i = start; i < end; i++) {
        if (at(i) === CR) {
          if (run > MAX_LINE_OCTETS) return true
          run = 0
        } else run++
      }
      if (run > MAX_LINE_OCTETS) return true
    }
    if (lf < 0) return false
    start = lf + 1
  }
}
