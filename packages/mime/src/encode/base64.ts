/**
 * Base64 (RFC 2045 section 6.8). Node, Bun and Deno have `Buffer`, whose native encoder is the
 * speed floor we measure against, so it is used when present; everywhere else (Workers,
 * browsers) a table-driven encoder over plain Uint8Arrays does the same job with Web APIs only.
 */

interface BufferView {
  [index: number]: number
  toString(encoding: 'base64'): string
  toString(encoding: 'latin1', start: number, end: number): string
  write(text: string, offset: number, length: number, encoding: 'latin1'): number
  copyWithin(target: number, start: number, end: number): this
}
interface BufferStatic {
  from(buffer: ArrayBufferLike, byteOffset: number, length: number): BufferView
  allocUnsafe(size: number): BufferView
}

/** The runtime's Buffer, looked up on each call so a test can hide it and exercise the Web path. */
function nativeBuffer(): BufferStatic | undefined {
  const candidate = (globalThis as { Buffer?: BufferStatic }).Buffer
  return typeof candidate?.from === 'function' && typeof candidate.allocUnsafe === 'function'
    ? candidate
    : undefined
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'
const CODES = new Uint8Array(64)
for (let i = 0; i < 64; i++) CODES[i] = ALPHABET.charCodeAt(i)
const PAD = 61 // '='
const decoder = new TextDecoder()

/** RFC 2045 section 6.8: encoded lines are at most 76 characters; 57 input octets fill one. */
export const LINE_OCTETS = 57
/**
 * Input octets encoded per chunk: 16384 lines, about 1.2 MiB of output. Small enough that peak
 * memory stays near the output size; large enough that Node keeps each chunk string outside the
 * JS heap (its external-string threshold is about 1 MiB) instead of in large-object space.
 */
const CHUNK_OCTETS = LINE_OCTETS * 16384
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
 * Lines Buffer encodes per call. At 1024 lines (78 KiB) the temporary strings live and die in the
 * young generation; bigger ones land in large-object space or outside the heap and, as garbage,
 * doubled peak memory and slowed repeated builds in our measurements.
 */
const PIECE_LINES = 1024

/**
 * Native body encoder: Buffer's base64, a piece at a time, written into a scratch buffer where
 * each 76-character line is moved (last first, with native copyWithin) to leave room for its
 * CRLF. No per-line strings are made, and the chunk becomes one string in a single latin1 read.
 */
function nativeChunk(
  B: BufferStatic,
  scratch: BufferView,
  bytes: Uint8Array,
  start: number,
  end: number,
): string {
  let o = 0
  for (let piece = start; piece < end; piece += LINE_OCTETS * PIECE_LINES) {
    const pieceEnd = Math.min(piece + LINE_OCTETS * PIECE_LINES, end)
    const encoded = B.from(bytes.buffer, bytes.byteOffset + piece, pieceEnd - piece).toString(
      'base64',
    )
    const n = encoded.length
    const lines = Math.ceil(n / LINE_CHARS)
    scratch.write(encoded, o, n, 'latin1')
    for (let line = lines - 1; line > 0; line--) {
      const from = o + line * LINE_CHARS
      scratch.copyWithin(from + line * 2, from, from + Math.min(LINE_CHARS, n - line * LINE_CHARS))
    }
    // Every line but the chunk's very last is a full one followed by CRLF.
    for (let line = 0; line < lines; line++) {
      const eol = o + line * (LINE_CHARS + 2) + LINE_CHARS
      scratch[eol] = 13
      scratch[eol + 1] = 10
    }
    o += n + lines * 2
  }
  return scratch.toString('latin1', 0, o - 2)
}

/** Web-only body encoder: fills CRLF-separated 76-character lines straight into one byte array. */
function webChunk(bytes: Uint8Array, start: number, end: number): string {
  const lines = Math.ceil((end - start) / LINE_OCTETS)
  const out = new Uint8Array(Math.ceil((end - start) / 3) * 4 + (lines - 1) * 2)
  let o = 0
  for (let i = start; i < end; i += LINE_OCTETS) {
    if (i !== start) {
      out[o++] = 13
      out[o++] = 10
    }
    o = encodeInto(bytes, i, Math.min(i + LINE_OCTETS, end), out, o)
  }
  return decoder.decode(out)
}

/**
 * Pushes the base64 body of `bytes` onto `out` as 76-character lines separated by CRLF, with no
 * CRLF after the last line. Works chunk by chunk so no second full-size copy is ever held.
 */
export function pushBase64Body(bytes: Uint8Array, out: string[], forceWeb = false): void {
  const B = forceWeb ? undefined : nativeBuffer()
  const chunk = Math.min(CHUNK_OCTETS, bytes.length)
  const scratch = B?.allocUnsafe((Math.ceil(chunk / LINE_OCTETS) + 1) * (LINE_CHARS + 2))
  for (let start = 0; start < bytes.length; start += CHUNK_OCTETS) {
    const end = Math.min(start + CHUNK_OCTETS, bytes.length)
    if (start !== 0) out.push('\r\n')
    if (B === undefined || scratch === undefined) out.push(webChunk(bytes, start, end))
    else out.push(nativeChunk(B, scratch, bytes, start, end))
  }
}

/** The base64 body of `bytes` as one string (see {@link pushBase64Body}). */
export function base64Body(bytes: Uint8Array, forceWeb = false): string {
  const out: string[] = []
  pushBase64Body(bytes, out, forceWeb)
  return out.join('')
}
