/**
 * Base64 (RFC 2045 section 6.8). Bodies: CRLF-separated lines written into a reused scratch by
 * ./base64-lines.ts, read out as strings by `Buffer#toString('latin1')` where `Buffer` exists
 * (Node, Bun, Deno) and by TextDecoder elsewhere (Workers, browsers); both give the same
 * strings. Short encoded-word payloads: `Buffer#toString('base64')`, or a table encoder.
 */
import {
  ALPHABET,
  createLineEncoder,
  LINE_OCTETS,
  LINE_STRIDE,
  type LineEncoder,
  type LineEngine,
  lineEngine,
} from './base64-lines.js'

interface BufferView {
  toString(encoding: 'base64'): string
  toString(encoding: 'latin1', start: number, end: number): string
}
interface BufferStatic {
  from(buffer: ArrayBufferLike, byteOffset: number, length: number): BufferView
}

/** The runtime's Buffer, looked up on each call so a test can hide it and exercise the Web path. */
function nativeBuffer(): BufferStatic | undefined {
  const candidate = (globalThis as { Buffer?: BufferStatic }).Buffer
  return typeof candidate?.from === 'function' ? candidate : undefined
}

const CODES = new Uint8Array(64)
for (let i = 0; i < 64; i++) CODES[i] = ALPHABET.charCodeAt(i)
const PAD = 61 // '='
const decoder = new TextDecoder()

/** Writes the base64 of bytes[start, end) into out at offset o; returns the new offset. */
function encodeInto(bytes: Uint8Array, start: number, end: number, out: Uint8Array, o: number) {
  let i = start
  const whole = end - ((end - start) % 3)
  for (; i < whole; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!
    out[o++] = CODES[n >>> 18]!
    out[o++] = CODES[(n >>> 12) & 63]!
    out[o++] = CODES[(n >>> 6) & 63]!
    out[o++] = CODES[n & 63]!
  }
  const rest = end - i
  if (rest === 1) {
    const n = bytes[i]! << 16
    out[o++] = CODES[n >>> 18]!
    out[o++] = CODES[(n >>> 12) & 63]!
    out[o++] = PAD
    out[o++] = PAD
  } else if (rest === 2) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8)
    out[o++] = CODES[n >>> 18]!
    out[o++] = CODES[(n >>> 12) & 63]!
    out[o++] = CODES[(n >>> 6) & 63]!
    out[o++] = PAD
  }
  return o
}

/** Base64 of `bytes` on one line, with Web APIs only. */
export function base64EncodeWeb(bytes: Uint8Array): string {
  const out = new Uint8Array(Math.ceil(bytes.length / 3) * 4)
  encodeInto(bytes, 0, bytes.length, out, 0)
  return decoder.decode(out)
}

/** Base64 of `bytes` on one line (used inside RFC 2047 encoded-words). */
export function base64Encode(bytes: Uint8Array): string {
  const B = nativeBuffer()
  if (B === undefined) return base64EncodeWeb(bytes)
  return B.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64')
}

/**
 * The sizes of the strings read out of the scratch are chosen for V8's memory: pieces of at most
 * 1024 lines (78 KiB, under V8's 128 KiB large-object size) live in the young generation.
 * Larger strings, unless over Node's 1,031,913-character threshold for malloc-backed external
 * strings (Buffer reads only), go to freshly mapped large-object pages whose page faults cost
 * several times the encoding. Bodies of 3 such external strings or more therefore come in
 * pieces of at least 13,312 lines (1,038,336 characters), the lines shared out evenly; smaller
 * ones in young pieces. The scratch stays under half the output, so peak memory stays near the
 * output size.
 */
const PIECE_LINES = 1024
export const BIG_LINES = 13_312
export const BIG_MIN_LINES = 3 * BIG_LINES

interface Scratch {
  encoder: LineEncoder
  /** A Buffer over the scratch, for its one-copy latin1 read (made once Buffer is seen). */
  view: BufferView | undefined
}
const scratches: Partial<Record<LineEngine, Scratch>> = {}

/**
 * The scratch of `engine` with room for `lines` lines, kept and reused by later builds (grown
 * when a bigger piece comes): encoding is synchronous, so no two builds ever share it, and
 * reuse spares each build the page faults of fresh memory.
 */
function scratchOf(engine: LineEngine, lines: number): Scratch {
  const size = lines * LINE_STRIDE
  let s = scratches[engine]
  if (s === undefined || s.encoder.room < size) {
    s = { encoder: createLineEncoder(size, engine), view: undefined }
    scratches[engine] = s
  }
  return s
}

/**
 * Pushes the base64 body of `bytes` onto `out` as 76-character lines separated by CRLF, with no
 * CRLF after the last line, piece by piece so no second full-size copy is ever held. `forceWeb`
 * reads out with TextDecoder even where Buffer exists, and `engine` picks the line encoder
 * (both for tests: every choice gives the same output).
 */
export function pushBase64Body(
  bytes: Uint8Array,
  out: string[],
  forceWeb = false,
  engine: LineEngine = lineEngine(),
): void {
  const total = bytes.length
  if (total === 0) return
  const B = forceWeb ? undefined : nativeBuffer()
  const totalLines = Math.ceil(total / LINE_OCTETS)
  const pieceLines =
    B !== undefined && totalLines >= BIG_MIN_LINES
      ? Math.ceil(totalLines / Math.floor(totalLines / BIG_LINES))
      : PIECE_LINES
  const s = scratchOf(engine, pieceLines)
  const scratch = s.encoder.bytes
  if (B !== undefined) s.view ??= B.from(scratch.buffer, 0, scratch.length)
  for (let start = 0; start < total; start += pieceLines * LINE_OCTETS) {
    const end = Math.min(start + pieceLines * LINE_OCTETS, total)
    // Only the last piece can end in a partial line, and only the last line has no CRLF.
    const whole = end - ((end - start) % LINE_OCTETS)
    let o = s.encoder.lines(bytes, start, whole, 0)
    if (whole < end) o = encodeInto(bytes, whole, end, scratch, o)
    else if (end === total) o -= 2
    out.push(
      B === undefined ? decoder.decode(scratch.subarray(0, o)) : s.view!.toString('latin1', 0, o),
    )
  }
}

/** The base64 body of `bytes` as one string (see {@link pushBase64Body}). */
export function base64Body(
  bytes: Uint8Array,
  forceWeb = false,
  engine: LineEngine = lineEngine(),
): string {
  const out: string[] = []
  pushBase64Body(bytes, out, forceWeb, engine)
  return out.join('')
}
