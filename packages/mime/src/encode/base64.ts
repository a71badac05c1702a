/**
 * Base64 (RFC 2045 section 6.8). Where `Buffer` exists (Node, Bun, Deno), bodies come from its
 * native encoder, wrapped into lines in a reused scratch (./base64-native.ts), and the short
 * encoded-word payloads from `Buffer#toString('base64')`. Elsewhere (Workers, browsers) a
 * table-driven encoder writes CRLF-wrapped lines straight into a reused scratch buffer and
 * TextDecoder reads them out, with Web APIs only; both paths give byte-identical output.
 */
import { type NativeBuffer, pushNativeBase64Body } from './base64-native.js'
import { wrapEngine } from './wrap-lines.js'

interface BufferView {
  toString(encoding: 'base64'): string
  toString(encoding: 'latin1', start: number, end: number): string
}
interface BufferStatic {
  from(buffer: ArrayBufferLike, byteOffset: number, length: number): BufferView & NativeBuffer
}

/** The runtime's Buffer, looked up on each call so a test can hide it and exercise the Web path. */
function nativeBuffer(): BufferStatic | undefined {
  const candidate = (globalThis as { Buffer?: BufferStatic }).Buffer
  return typeof candidate?.from === 'function' ? candidate : undefined
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'
const CODES = new Uint8Array(64)
for (let i = 0; i < 64; i++) CODES[i] = ALPHABET.charCodeAt(i)
const PAD = 61 // '='
const decoder = new TextDecoder()

/** RFC 2045 section 6.8: encoded lines are at most 76 characters; 57 input octets fill one. */
export const LINE_OCTETS = 57
/**
 * Lines per chunk of output. A chunk is encoded into a scratch buffer and read out as one
 * string, so peak memory is the output plus one chunk: chunks are an eighth of the body, between
 * 512 lines (39 KiB) and 16384 lines (1.2 MiB).
 */
const MIN_CHUNK_LINES = 512
const MAX_CHUNK_LINES = 16384

function chunkOctets(total: number): number {
  const lines = Math.ceil(Math.ceil(total / LINE_OCTETS) / 8)
  return Math.min(MAX_CHUNK_LINES, Math.max(MIN_CHUNK_LINES, lines)) * LINE_OCTETS
}
const LINE_CHARS = (LINE_OCTETS / 3) * 4

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
 * Two base64 characters for each 12 bits, stored as one 16-bit write in the platform's byte
 * order: the body encoder below does two table reads and two stores per three input octets.
 */
const PAIRS = new Uint16Array(4096)
const LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1
for (let i = 0; i < 4096; i++) {
  const high = CODES[i >> 6]!
  const low = CODES[i & 63]!
  PAIRS[i] = LITTLE_ENDIAN ? high | (low << 8) : (high << 8) | low
}
const CRLF16 = LITTLE_ENDIAN ? 0x0a0d : 0x0d0a

interface Scratch {
  bytes: Uint8Array
  pairs: Uint16Array
  /** A Buffer over the same memory, for its one-copy latin1 read (made once Buffer is seen). */
  view: BufferView | undefined
}
let scratch: Scratch | undefined

/**
 * Room for one chunk of output, kept and reused by later builds (grown when a bigger chunk
 * comes): encoding is synchronous, so no two builds ever share it, and reuse spares each build
 * the page faults of fresh memory. At most 1.2 MiB.
 */
function scratchOf(chunk: number): Scratch {
  const size = (chunk / LINE_OCTETS + 1) * (LINE_CHARS + 2)
  if (scratch === undefined || scratch.bytes.length < size) {
    const memory = new ArrayBuffer(size)
    scratch = { bytes: new Uint8Array(memory), pairs: new Uint16Array(memory), view: undefined }
  }
  return scratch
}

/**
 * Encodes bytes[start, end) as CRLF-separated 76-character lines into the scratch and returns
 * the chunk as a string. Full lines (57 octets) take the 16-bit path; a last partial line the
 * byte-wise one. Nothing but the chunk string is allocated, so a large attachment costs about
 * its output size in memory.
 */
function encodeChunk(
  bytes: Uint8Array,
  start: number,
  end: number,
  s: Scratch,
  native: BufferView | undefined,
): string {
  const pairs = s.pairs
  const fullEnd = end - ((end - start) % LINE_OCTETS)
  let p = 0
  let i = start
  while (i < fullEnd) {
    for (let g = 0; g < LINE_OCTETS / 3; g++) {
      const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!
      i += 3
      pairs[p++] = PAIRS[n >>> 12]!
      pairs[p++] = PAIRS[n & 4095]!
    }
    pairs[p++] = CRLF16
  }
  // No CRLF after the chunk's last line; a partial line follows the last full one directly.
  const length = i < end ? encodeInto(bytes, i, end, s.bytes, p * 2) : p * 2 - 2
  return native === undefined
    ? decoder.decode(s.bytes.subarray(0, length))
    : native.toString('latin1', 0, length)
}

/**
 * Pushes the base64 body of `bytes` onto `out` as 76-character lines separated by CRLF, with no
 * CRLF after the last line. Works chunk by chunk so no second full-size copy is ever held.
 */
export function pushBase64Body(bytes: Uint8Array, out: string[], forceWeb = false): void {
  if (bytes.length === 0) return
  const B = forceWeb ? undefined : nativeBuffer()
  const engine = B === undefined ? undefined : wrapEngine()
  if (B !== undefined && engine !== undefined) {
    pushNativeBase64Body(B, bytes, out, engine)
    return
  }
  const chunk = chunkOctets(bytes.length)
  const s = scratchOf(chunk)
  if (B !== undefined) s.view ??= B.from(s.bytes.buffer, 0, s.bytes.length)
  const native = B === undefined ? undefined : s.view
  for (let start = 0; start < bytes.length; start += chunk) {
    if (start !== 0) out.push('\r\n')
    out.push(encodeChunk(bytes, start, Math.min(start + chunk, bytes.length), s, native))
  }
}

/** The base64 body of `bytes` as one string (see {@link pushBase64Body}). */
export function base64Body(bytes: Uint8Array, forceWeb = false): string {
  const out: string[] = []
  pushBase64Body(bytes, out, forceWeb)
  return out.join('')
}
