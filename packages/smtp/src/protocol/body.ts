import { command } from './commands.js'
import { cleanText, encodeLines, endLines, initialLineState } from './data.js'
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
    const text = cleanText(message.text, true)
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
  // A small ASCII message that needs no change goes out as text, in one chunk.
  private readonly text: string | undefined

  constructor(
    private readonly message: MessageSource,
    private readonly chunkSize: number,
    private readonly log: (line: string) => void,
  ) {
    this.text =
      message.text !== undefined && message.size <= chunkSize
        ? cleanText(message.text, false)
        : undefined
    this.count = this.text !== undefined ? 1 : Math.max(1, Math.ceil(message.size / chunkSize))
  }

  /** The next command line and its octets (or, for a clean text message, both as text). */
  next(): [Uint8Array, Uint8Array] | string {
    const text = this.text
    if (text !== undefined) {
      this.index = 1
      const line = command.bdat(text.length, true)
      this.log(line.slice(0, -2))
      return line + text
    }
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

  /** Every remaining chunk, for a pipelined write: lazily produced bytes, or the text. */
  all(): string | Iterable<Uint8Array> {
    if (this.text !== undefined) return this.index === 0 ? (this.next() as string) : ''
    return this.bytes()
  }

  private *bytes(): Generator<Uint8Array> {
    while (this.index < this.count) yield* this.next() as [Uint8Array, Uint8Array]
  }
}
