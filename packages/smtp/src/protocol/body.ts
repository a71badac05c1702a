import { command } from './commands.js'
import { cleanDataText, encodeLines, endLines, initialLineState } from './data.js'
import type { MessageSource } from './message.js'

const encoder = new TextEncoder()

/**
 * The message content for DATA: normalised, dot-stuffed and terminated, produced slice by slice
 * so a large message never exists twice in memory (RFC 5321 4.5.2).
 */
export function* dataBody(message: MessageSource, chunkSize: number): Generator<Uint8Array> {
  const state = initialLineState()
  for (let off = 0; off < message.size; off += chunkSize) {
    yield encodeLines(message.slice(off, off + chunkSize), state, true)
  }
  yield endLines(state, true)
}

/**
 * The content for DATA of a small message, encoded at once: the text itself when an ASCII
 * string needs no change, else bytes (at most one new buffer).
 */
export function dataBodyNow(message: MessageSource): (string | Uint8Array)[] {
  if (message.text !== undefined) {
    const text = cleanDataText(message.text)
    if (text !== undefined) return [text]
  }
  const state = initialLineState()
  return [encodeLines(message.slice(0, message.size), state, true), endLines(state, true)]
}

/**
 * The message as BDAT chunks (RFC 3030 2): each slice of the input normalised to CRLF and sent
 * as 'BDAT <size>' plus exactly that many octets, the last one marked LAST. The number of chunks
 * is known before any is encoded, so their replies can be awaited in order.
 */
export class BdatChunks {
  readonly count: number
  private offset = 0
  private index = 0
  private readonly state = initialLineState()

  constructor(
    private readonly message: MessageSource,
    private readonly chunkSize: number,
    private readonly log: (line: string) => void,
  ) {
    this.count = Math.max(1, Math.ceil(message.size / chunkSize))
  }

  /** The next command line and its octets. */
  next(): [Uint8Array, Uint8Array] {
    const last = ++this.index === this.count
    const slice = this.message.slice(this.offset, this.offset + this.chunkSize)
    this.offset += this.chunkSize
    let body = encodeLines(slice, this.state, false)
    if (last) {
      const end = endLines(this.state, false)
      if (end.length > 0) {
        const joined = new Uint8Array(body.length + end.length)
        joined.set(body)
        joined.set(end, body.length)
        body = joined
      }
    }
    const line = command.bdat(body.length, last)
    this.log(line.slice(0, -2))
    return [encoder.encode(line), body]
  }

  /** Every remaining chunk, lazily, for a pipelined write. */
  *all(): Generator<Uint8Array> {
    while (this.index < this.count) yield* this.next()
  }
}
