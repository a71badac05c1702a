/**
 * Base64 (RFC 4648 section 4, RFC 2045 section 6.8), the package's one encoder and decoder.
 * Bodies: CRLF-separated lines written into a reused scratch by ./base64-lines.ts, read out as
 * strings by `Buffer#toString('latin1')` where `Buffer` exists (Node, Bun, Deno) and by
 * TextDecoder elsewhere (Workers, browsers); both give the same strings. A streamed body reads
 * the same lines out as bytes (./base64-stream.ts). One-line values (encoded-words, DKIM
 * hashes and signatures): `Buffer#toString('base64')`, or a table encoder.
 */
import {
  ALPHABET,
  createLineEncoder,
  LINE_OCTETS,
  LINE_STRIDE,
  type LineEncoder,
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
export function encodeInto(
  bytes: Uint8Array,
  start: number,
  end: number,
  out: Uint8Array,
  o: number,
) {
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

/** Base64 of `bytes` on one line, padded (RFC 2047 encoded-words, DKIM's bh= and b=). */
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

export interface Scratch {
  encoder: LineEncoder
  /** A Buffer over the scratch, for its one-copy latin1 read (made once Buffer is seen). */
  view: BufferView | undefined
}
let shared: Scratch | undefined

/**
 * The scratch with room for `lines` lines, kept and reused by later builds (grown when a bigger
 * piece comes): every use is synchronous and reads its output out before returning, so no two
 * builds or streams ever share it, and reuse spares each build the page faults of fresh memory.
 */
export function scratchOf(lines: number): Scratch {
  const size = lines * LINE_STRIDE
  if (shared === undefined || shared.encoder.room < size) {
    shared = { encoder: createLineEncoder(size, lineEngine()), view: undefined }
  }
  return shared
}

/**
 * Pushes the base64 body of `bytes` onto `out` as 76-character lines separated by CRLF, with no
 * CRLF after the last line, piece by piece so no second full-size copy is ever held.
 */
export function pushBase64Body(bytes: Uint8Array, out: string[]): void {
  const total = bytes.length
  if (total === 0) return
  const B = nativeBuffer()
  const totalLines = Math.ceil(total / LINE_OCTETS)
  const pieceLines =
    B !== undefined && totalLines >= BIG_MIN_LINES
      ? Math.ceil(totalLines / Math.floor(totalLines / BIG_LINES))
      : PIECE_LINES
  const s = scratchOf(pieceLines)
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

/** RFC 4648 section 4 alphabet with padding; whitespace (folded PEM or MIME lines) allowed. */
const BASE64_TEXT = /^[A-Za-z0-9+/]*={0,2}$/
const WHITESPACE = /[ \t\r\n]+/g

/**
 * Decodes base64 strictly: the RFC 4648 alphabet, whole 4-character groups, padding only at
 * the end and unused bits zero (RFC 4648 section 3.5), so only what an encoder writes is read;
 * spaces, tabs and line breaks between characters are ignored. Returns undefined for anything
 * else, so the caller can name its own field in the error.
 *
 * @example base64Decode('aGVs\r\nbG8=') // Uint8Array of 'hello'
 */
export function base64Decode(text: string): Uint8Array<ArrayBuffer> | undefined {
  const clean = text.replace(WHITESPACE, '')
  if (clean.length % 4 !== 0 || !BASE64_TEXT.test(clean)) return undefined
  const pad = clean.endsWith('==') ? 2 : clean.endsWith('=') ? 1 : 0
  if (pad > 0) {
    const last = ALPHABET.indexOf(clean[clean.length - pad - 1]!)
    if ((last & (pad === 2 ? 15 : 3)) !== 0) return undefined
  }
  const binary = atob(clean)
  const bytes = new Uint8Array(binary.length)
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i)
  return bytes
}
