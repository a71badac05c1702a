/**
 * Base64 bodies (RFC 2045 section 6.8) from the runtime's native encoder, where `Buffer` exists
 * (Node, Bun, Deno): the native encoder writes a group of lines as one string, a latin1 write
 * puts it into a reused scratch, and a line mover (./wrap-lines.ts) puts each 76-character line
 * in its place with CRLF after it. Measured in Node 20 on a 1 MiB attachment: about 4x faster
 * than the table encoder (whose result pieces also fell into slow large-object sizes), and
 * regex wrapping (`replace(/.{76}/g, '$&\r\n')`, 3.3 ms per MiB) far slower than the mover.
 *
 * The size of the strings read out of the scratch is chosen for the engine's memory: pieces of
 * at most 1024 lines (78 KiB, under V8's 128 KiB large-object size) live in the young
 * generation; larger strings, unless over Node's 1,031,913-character threshold for
 * malloc-backed external strings, go to freshly mapped large-object pages whose page faults cost
 * more than the encoding. Bodies of 3 such strings or more therefore come in pieces of at least
 * 13,312 lines (1,038,336 characters, external strings), smaller ones in young pieces; the
 * scratch stays a fraction of the output, so peak memory stays near the output size.
 */
import { createLineMover, type LineMover, type WrapEngine } from './wrap-lines.js'

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
export const GROUP_LINES = 1024
/** Lines per young output piece: 79,872 characters. */
const SMALL_LINES = 1024
/** Lines per big output piece: 1,038,336 characters, an external string in Node. */
export const BIG_LINES = 13_312
/**
 * Big pieces only when the output is at least 3 of them, so the scratch (at most 4/3 of a big
 * piece) stays under half the output.
 */
export const BIG_MIN_LINES = 3 * BIG_LINES

interface NativeScratch {
  /** The output piece from offset 0, and each group's text just past its lines' room. */
  mover: LineMover
  bytes: Uint8Array
  view: NativeBuffer
}
const scratches: { wasm?: NativeScratch; js?: NativeScratch } = {}

/**
 * The scratch, kept and reused by later builds (grown when a bigger piece comes): encoding is
 * synchronous, so no two builds ever share it, and reuse spares each build fresh page faults.
 */
function scratchOf(B: NativeBufferStatic, pieceLines: number, engine: WrapEngine): NativeScratch {
  // The text of the last group may start up to 3 bytes past its lines' room.
  const size = pieceLines * LINE_STRIDE + 4
  const cached = scratches[engine]
  if (cached !== undefined && cached.bytes.length >= size) return cached
  const mover = createLineMover(size, engine)
  const bytes = mover.bytes
  const s = { mover, bytes, view: B.from(bytes.buffer, 0, bytes.length) }
  scratches[engine] = s
  return s
}

/**
 * Encodes source[start, end) into the scratch at byte offset `at` (a multiple of 4): whole lines
 * with CRLF, then any last partial line (only at the very end of the body) without one. The
 * text goes 2 bytes per line (rounded up to 4) past `at` and the lines move down into place,
 * so the text is still in cache when it is moved. Returns the new offset.
 */
function encodeGroup(
  source: NativeBuffer,
  start: number,
  end: number,
  s: NativeScratch,
  at: number,
): number {
  const text = source.toString('base64', start, end)
  const lines = Math.floor(text.length / LINE_CHARS)
  const from = (at + 2 * lines + 3) & ~3
  s.view.write(text, from, 'latin1')
  let o = s.mover.wrap(from, at, lines)
  const bytes = s.bytes
  for (let i = from + lines * LINE_CHARS; i < from + text.length; i++) bytes[o++] = bytes[i]!
  return o
}

/** Lines per big piece: the total shared evenly among as many pieces of BIG_LINES as fit. */
function evenShare(totalLines: number): number {
  return Math.ceil(totalLines / Math.floor(totalLines / BIG_LINES))
}

/**
 * Pushes the base64 body of `bytes` onto `out` as 76-character lines separated by CRLF, with no
 * CRLF after the last line, using the native encoder of `B` and `engine` to move the lines.
 */
export function pushNativeBase64Body(
  B: NativeBufferStatic,
  bytes: Uint8Array,
  out: string[],
  engine: WrapEngine,
): void {
  const total = bytes.length
  if (total === 0) return
  const totalLines = Math.ceil(total / LINE_OCTETS)
  // Big bodies: every piece big, the lines shared out evenly (at most 4/3 of BIG_LINES each),
  // so no young piece survives to be copied by the collector.
  const bigLines = totalLines >= BIG_MIN_LINES ? evenShare(totalLines) : 0
  const s = scratchOf(B, bigLines || SMALL_LINES, engine)
  const source = B.from(bytes.buffer, bytes.byteOffset, total)
  let start = 0
  while (start < total) {
    const pieceLines = bigLines || SMALL_LINES
    const pieceEnd = Math.min(start + pieceLines * LINE_OCTETS, total)
    let o = 0
    for (let g = start; g < pieceEnd; g += GROUP_LINES * LINE_OCTETS) {
      o = encodeGroup(source, g, Math.min(g + GROUP_LINES * LINE_OCTETS, pieceEnd), s, o)
    }
    // Every piece ends with CRLF but the last, whose last line has none: a padded last line of
    // 76 characters (55 or 56 octets) was wrapped like a full one.
    if (pieceEnd === total && (Math.ceil(total / 3) * 4) % LINE_CHARS === 0) o -= 2
    out.push(s.view.toString('latin1', 0, o))
    start = pieceEnd
  }
}
