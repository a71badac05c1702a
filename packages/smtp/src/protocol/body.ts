import { command } from './commands.js'
import { cleanText, encodeLines, endLines, initialLineState, passLines } from './data.js'
import type { MessageSource } from './message.js'
import { DATA_END } from './wire.js'

const encoder = new TextEncoder()
const END = encoder.encode(DATA_END)

/**
 * The message content for DATA without its end: normalised, dot-stuffed and CRLF-terminated,
 * produced slice by slice so a large message never exists twice in memory (RFC 5321 4.5.2). The
 * end of data ({@link DATA_END}) is written apart, when the transaction decides to end.
 */
export function* dataContent(message: MessageSource, chunkSize: number): Generator<Uint8Array> {
  const state = initialLineState()
  for (let off = 0; off < message.size; off += chunkSize) {
    yield encodeLines(message.slice(off, off + chunkSize), state, true)
  }
  yield endLines(state, false)
}

/** The content for DATA and its end (RFC 5321 4.1.1.4), slice by slice. */
export function* dataBody(message: MessageSource, chunkSize: number): Generator<Uint8Array> {
  yield* dataContent(message, chunkSize)
  yield END
}

/**
 * The content for DATA of a small message and its end, encoded at once: the text itself when an
 * ASCII string needs no change, else bytes (at most one new buffer).
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
 * is known before any is encoded, so their replies can be awaited in order. With `endApart`,
 * every slice goes in a chunk of its own and the end is a last empty chunk, 'BDAT 0 LAST': the
 * content can then be sent before the transaction decides to end it.
 */
export class BdatChunks {
  readonly count: number
  private offset = 0
  private index = 0
  private readonly state = initialLineState()
  // A small ASCII message that needs no change goes out as text, in one chunk.
  private readonly text: string | undefined
  private readonly content: number

  constructor(
    private readonly message: MessageSource,
    private readonly chunkSize: number,
    private readonly log: (line: string) => void,
    endApart = false,
  ) {
    this.text =
      message.text !== undefined && message.size <= chunkSize
        ? cleanText(message.text, false)
        : undefined
    this.content = this.text !== undefined ? 1 : Math.max(1, Math.ceil(message.size / chunkSize))
    this.count = endApart ? this.content + 1 : this.content
  }

  /** How many chunks were produced so far: the index of the next one. */
  get sent(): number {
    return this.index
  }

  /** The next command line and its octets (or, for a clean text message, both as text). */
  next(): [Uint8Array, Uint8Array] | string {
    const i = this.index++
    if (i === this.content) return this.line(0, true)
    const last = i === this.count - 1
    const text = this.text
    if (text !== undefined) return this.line(text.length, last) + text
    const slice = this.message.slice(this.offset, this.offset + this.chunkSize)
    this.offset += this.chunkSize
    let body = encodeLines(slice, this.state, false)
    if (i === this.content - 1) {
      const end = endLines(this.state, false)
      if (end.length > 0) {
        const joined = new Uint8Array(body.length + end.length)
        joined.set(body)
        joined.set(end, body.length)
        body = joined
      }
    }
    return [encoder.encode(this.line(body.length, last)), body]
  }

  /** The chunks from the next one up to (not including) `end`, lazily: text, or bytes. */
  upTo(end: number): string | Iterable<Uint8Array> {
    if (this.text !== undefined) {
      let out = ''
      while (this.index < end) out += this.next() as string
      return out
    }
    return this.bytes(end)
  }

  /** Every remaining chunk, for a pipelined write. */
  all(): string | Iterable<Uint8Array> {
    return this.upTo(this.count)
  }

  private line(size: number, last: boolean): string {
    const line = command.bdat(size, last)
    this.log(line.slice(0, -2))
    return line
  }

  private *bytes(end: number): Generator<Uint8Array> {
    while (this.index < end) {
      const chunk = this.next()
      if (typeof chunk === 'string') yield encoder.encode(chunk)
      else yield* chunk
    }
  }
}

/**
 * Streamed content as BDAT chunks (RFC 3030 2): slices are normalised to CRLF as they come and
 * gathered until a chunk holds at least `target` octets, so a chunk's size is known exactly once
 * its octets are encoded. Each chunk is its command line, then its octets.
 */
export class BdatStream {
  private readonly state = initialLineState()
  private parts: Uint8Array[] = []
  private size = 0

  constructor(
    private readonly target: number,
    private readonly log: (line: string) => void,
  ) {}

  /**
   * Adds a slice (`crlf`: its lines are known to end in CRLF, so it goes as it is); returns a
   * whole chunk once `target` octets are gathered.
   */
  push(slice: Uint8Array, crlf: boolean): (string | Uint8Array)[] | undefined {
    this.add(crlf ? passLines(slice, this.state) : encodeLines(slice, this.state, false))
    return this.size >= this.target ? this.take(false) : undefined
  }

  /**
   * The gathered rest, with the CRLF an unterminated last line needs: the LAST chunk (perhaps
   * 'BDAT 0 LAST'), or with `last` false a chunk of its own, none when nothing is left.
   */
  finish(last: boolean): (string | Uint8Array)[] | undefined {
    this.add(endLines(this.state, false))
    return last || this.size > 0 ? this.take(last) : undefined
  }

  private add(bytes: Uint8Array): void {
    if (bytes.length === 0) return
    this.parts.push(bytes)
    this.size += bytes.length
  }

  private take(last: boolean): (string | Uint8Array)[] {
    const line = command.bdat(this.size, last)
    this.log(line.slice(0, -2))
    const chunk: (string | Uint8Array)[] = [line, ...this.parts]
    this.parts = []
    this.size = 0
    return chunk
  }
}
