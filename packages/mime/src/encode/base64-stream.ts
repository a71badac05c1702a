/**
 * Base64 body lines (RFC 2045 section 6.8) from chunks of any size, for a streamed message: the
 * same line encoder and scratch as the string build (./base64.ts), read out as bytes. A line
 * takes 57 octets; the octets of a line split across chunks wait in a carry for the next one.
 */
import { encodeInto, scratchOf } from './base64.js'
import { LINE_OCTETS } from './base64-lines.js'

/** Lines per output chunk: 1024 lines are 78 KiB, a window that keeps memory flat. */
const CHUNK_LINES = 1024
const CR = 13
const LF = 10

/**
 * Writes the lines of one body. The lines are separated by CRLF and the last has none (as in
 * the string build), so each output chunk starts with the CRLF that ends the line before it.
 *
 * @example
 * ```ts
 * const lines = new Base64LineWriter()
 * for (const chunk of chunks) for (const out of lines.write(chunk)) send(out)
 * const last = lines.end(false)
 * ```
 */
export class Base64LineWriter {
  private readonly carry = new Uint8Array(LINE_OCTETS)
  private carried = 0
  private started = false

  /**
   * The last, partial line if any; with `terminated`, the CRLF after the last line too (when
   * there is one). Undefined when nothing is left to write.
   */
  end(terminated: boolean): Uint8Array | undefined {
    if (this.carried === 0 && !(terminated && this.started)) return undefined
    const out = new Uint8Array(4 + Math.ceil(this.carried / 3) * 4)
    let o = this.started && this.carried > 0 ? crlfAt(out, 0) : 0
    o = encodeInto(this.carry, 0, this.carried, out, o)
    if (terminated) o = crlfAt(out, o)
    this.carried = 0
    this.started = true
    return out.subarray(0, o)
  }

  /** The whole lines that `chunk` completes, in chunks of at most 1024 lines. */
  *write(chunk: Uint8Array): Generator<Uint8Array> {
    let at = 0
    if (this.carried > 0) {
      const need = LINE_OCTETS - this.carried
      if (chunk.length < need) {
        this.carry.set(chunk, this.carried)
        this.carried += chunk.length
        return
      }
      this.carry.set(chunk.subarray(0, need), this.carried)
      at = need
      const lines = Math.min(CHUNK_LINES - 1, Math.floor((chunk.length - at) / LINE_OCTETS))
      const out = this.lines(chunk, at, at + lines * LINE_OCTETS, true)
      at += lines * LINE_OCTETS
      this.carried = 0
      yield out
    }
    while (chunk.length - at >= LINE_OCTETS) {
      const lines = Math.min(CHUNK_LINES, Math.floor((chunk.length - at) / LINE_OCTETS))
      yield this.lines(chunk, at, at + lines * LINE_OCTETS, false)
      at += lines * LINE_OCTETS
    }
    this.carry.set(chunk.subarray(at), 0)
    this.carried = chunk.length - at
  }

  /** Lines of source[start, end), after the carried line when `carryLine`, as a new array. */
  private lines(source: Uint8Array, start: number, end: number, carryLine: boolean): Uint8Array {
    const count = (end - start) / LINE_OCTETS + (carryLine ? 1 : 0)
    const { encoder } = scratchOf(count + 1)
    let o = this.started ? crlfAt(encoder.bytes, 0) : 0
    if (carryLine) o = encoder.lines(this.carry, 0, LINE_OCTETS, o)
    if (end > start) o = encoder.lines(source, start, end, o)
    this.started = true
    // The encoder ends every line with CRLF; the last one's waits for the line after it.
    return encoder.bytes.slice(0, o - 2)
  }
}

function crlfAt(out: Uint8Array, o: number): number {
  out[o] = CR
  out[o + 1] = LF
  return o + 2
}
