/**
 * Base64 bodies (RFC 2045 section 6.8) from the runtime's native encoder, where `Buffer` exists
 * (Node, Bun, Deno): the native encoder writes a group of lines as one string, a latin1 write
 * puts it into a reused scratch, and a 32-bit copy loop moves each 76-character line to its place
 * with CRLF after it. Measured in Node 20, this is about 3x faster than the table encoder on a
 * 1 MiB attachment, and regex wrapping (`replace(/.{76}/g, '$&\r\n')`) about 3x slower than this.
 *
 * The size of the strings read out of the scratch is chosen for the engine's memory: pieces of
 * at most 1024 lines (78 KiB, under V8's 128 KiB large-object size) live in the young
 * generation; larger strings, unless over Node's 1,031,913-character threshold for
 * malloc-backed external strings, go to freshly mapped large-object pages whose page faults cost
 * more than the encoding. Big bodies therefore come in pieces of 13,312 lines (1,038,336
 * characters, external strings) and the rest in young pieces; the scratch stays a fraction of
 * the output, so peak memory stays near the output size.
 */

/** The part of Node's Buffer used here (structural, so no Node types are needed). */
export interface NativeBuffer {
  toString(encoding: 'base64' | 'latin1', start: number, end: number): string
  write(text: string, offset: number, encoding: 'latin1'): number
}
/** The part of Node's Buffer constructor used here. */
export interface NativeBufferStatic {
  from(buffer: ArrayBufferLike, byteOffset: number, length: number): NativeBuffer
}

const LINE_OCTETS = 57
const LINE_CHARS = 76
/** A line with its CRLF. */
const LINE_STRIDE = 78
/** Lines per native encoder call: its 76 KiB string is young garbage, collected cheaply. */
const GROUP_LINES = 1024
/** Lines per young output piece: 79,872 characters. */
const SMALL_LINES = 1024
/** Lines per big output piece: 1,038,336 characters, an external string in Node. */
const BIG_LINES = 13_312
/** Big pieces only when the output is at least 3 of them, so the scratch is under a third of it. */
const BIG_MIN_LINES = 3 * BIG_LINES
const STAGE_BYTES = GROUP_LINES * LINE_CHARS
/** CR LF as one 32-bit word's high half and as its low half (little-endian order). */
const CRLF_HIGH = 0x0a0d0000
const CRLF_LOW = 0x0a0d

/** True where the 32-bit copy loop below sees characters in memory order (every common CPU). */
export const NATIVE_BASE64_SUPPORTED = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1

interface NativeScratch {
  /** The native encoder's text at offset 0 (STAGE_BYTES), the output piece after it. */
  bytes: Uint8Array
  words: Uint32Array
  view: NativeBuffer
}
let scratch: NativeScratch | undefined

/**
 * The scratch, kept and reused by later builds (grown when a bigger piece comes): encoding is
 * synchronous, so no two builds ever share it, and reuse spares each build fresh page faults.
 */
function scratchOf(B: NativeBufferStatic, pieceLines: number): NativeScratch {
  const size = STAGE_BYTES + pieceLines * LINE_STRIDE
  if (scratch === undefined || scratch.bytes.length < size) {
    const memory = new ArrayBuffer(size)
    scratch = {
      bytes: new Uint8Array(memory),
      words: new Uint32Array(memory),
      view: B.from(memory, 0, size),
    }
  }
  return scratch
}

/**
 * Copies `lines` 76-character lines from the stage (word 0 on) to byte offset `at` (a multiple
 * of 4), each followed by CRLF. Two lines (152 characters in, 156 out) are 38 words in and 39
 * out: the first line is copied word for word, the second shifted by the 2 characters of CRLF.
 */
function wrapLines(words: Uint32Array, bytes: Uint8Array, lines: number, at: number): number {
  let i = 0
  let o = at >>> 2
  const pairsEnd = lines - (lines & 1)
  for (let l = 0; l < pairsEnd; l += 2) {
    for (let k = 0; k < 19; k++) words[o + k] = words[i + k]!
    let prev = words[i + 19]!
    words[o + 19] = CRLF_LOW | (prev << 16)
    for (let k = 1; k < 19; k++) {
      const next = words[i + 19 + k]!
      words[o + 19 + k] = (prev >>> 16) | (next << 16)
      prev = next
    }
    words[o + 38] = (prev >>> 16) | CRLF_HIGH
    i += 38
    o += 39
  }
  if (lines & 1) {
    for (let k = 0; k < 19; k++) words[o + k] = words[i + k]!
    const end = o * 4 + LINE_CHARS
    bytes[end] = 13
    bytes[end + 1] = 10
    return end + 2
  }
  return o * 4
}

/**
 * Encodes source[start, end) into the scratch at byte offset `at`: whole lines with CRLF, then
 * any last partial line (only at the very end of the body) without one. Returns the new offset.
 */
function encodeGroup(
  source: NativeBuffer,
  start: number,
  end: number,
  s: NativeScratch,
  at: number,
): number {
  const text = source.toString('base64', start, end)
  s.view.write(text, 0, 'latin1')
  const lines = Math.floor(text.length / LINE_CHARS)
  let o = wrapLines(s.words, s.bytes, lines, at)
  const bytes = s.bytes
  for (let i = lines * LINE_CHARS; i < text.length; i++) bytes[o++] = bytes[i]!
  return o
}

/**
 * Pushes the base64 body of `bytes` onto `out` as 76-character lines separated by CRLF, with no
 * CRLF after the last line, using the native encoder of `B`. Requires NATIVE_BASE64_SUPPORTED.
 */
export function pushNativeBase64Body(
  B: NativeBufferStatic,
  bytes: Uint8Array,
  out: string[],
): void {
  const total = bytes.length
  if (total === 0) return
  const totalLines = Math.ceil(total / LINE_OCTETS)
  const big = totalLines >= BIG_MIN_LINES
  const s = scratchOf(B, big ? BIG_LINES : SMALL_LINES)
  const source = B.from(bytes.buffer, bytes.byteOffset, total)
  let start = 0
  while (start < total) {
    const remainingLines = Math.ceil((total - start) / LINE_OCTETS)
    const pieceLines = big && remainingLines >= BIG_LINES ? BIG_LINES : SMALL_LINES
    const pieceEnd = Math.min(start + pieceLines * LINE_OCTETS, total)
    let o = STAGE_BYTES
    for (let g = start; g < pieceEnd; g += GROUP_LINES * LINE_OCTETS) {
      o = encodeGroup(source, g, Math.min(g + GROUP_LINES * LINE_OCTETS, pieceEnd), s, o)
    }
    // Every piece ends with CRLF but the last, whose last line has none: a padded last line of
    // 76 characters (55 or 56 octets) was wrapped like a full one.
    if (pieceEnd === total && (Math.ceil(total / 3) * 4) % LINE_CHARS === 0) o -= 2
    out.push(s.view.toString('latin1', STAGE_BYTES, o))
    start = pieceEnd
  }
}
