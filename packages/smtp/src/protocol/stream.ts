import { inputError } from '../errors.js'
import { type MessageSource, messageSource } from './message.js'

/**
 * A message that `SmtpClient.send` reads while it sends it, only as fast as the socket drains.
 * A `StreamedMessage` of `@mail/mime` is one: its `eightBit` and `smtputf8` say what its MAIL
 * command must declare, so nothing is read ahead to find out.
 *
 * @example
 * const file = await fs.openAsBlob('message.eml') // CRLF line ends, 7-bit
 * await client.send(envelope, { size: file.size, eightBit: false, stream: () => file.stream() })
 */
export interface StreamSource {
  /**
   * The octets `stream()` gives, when known before reading: declared as SIZE (RFC 1870) and
   * checked against the server's limit before anything is sent. A stream that gives another
   * number of octets fails the send before the end of its data.
   */
  readonly size?: number | undefined
  /**
   * The message, as a new stream. Called once per send, when the server is ready for the data
   * (after DATA's 354, or once a recipient is accepted for BDAT); a send refused earlier never
   * calls it. An error it throws, or its stream's error, fails the send without the end of data.
   */
  stream(): ReadableStream<Uint8Array>
  /**
   * Whether the message has octets above 127 (RFC 6152): `true` needs 8BITMIME (BODY=8BITMIME,
   * or an error before anything is sent when the server lacks it); `false` sends it as 7-bit.
   * Unknown (undefined): BODY=8BITMIME when the server offers it; else it goes as 7-bit and each
   * chunk is checked, an 8-bit octet failing the send before the end of its data.
   */
  readonly eightBit?: boolean | undefined
  /** The message needs SMTPUTF8 (RFC 6531), as `Envelope.smtputf8`. */
  readonly smtputf8?: boolean | undefined
  /**
   * Every line of `stream()` ends in CRLF: it has no bare CR or LF (RFC 5322 2.1). The sender
   * then skips its check of the line ends and only stuffs dots (DATA), which makes a large
   * message cheaper to send. A `StreamedMessage` of `@mail/mime` says so. Declare it only when
   * it holds: bare line ends in a message that claims it go out as they are, and a server may
   * refuse them or read them as line ends. Unknown (undefined, false): every line is checked and
   * normalised to CRLF (RFC 5321 2.3.8).
   */
  readonly crlf?: boolean | undefined
}

/**
 * What `SmtpClient.send` sends: a whole message in memory (a string is UTF-8), a stream read as
 * it is sent (one-shot: the send owns it), or a {@link StreamSource}.
 *
 * @example
 * const raw: RawMessage = await fs.openAsBlob('message.eml') // a Blob is a StreamSource
 */
export type RawMessage = string | Uint8Array | ReadableStream<Uint8Array> | StreamSource

/** Content read chunk by chunk while it is sent. */
export interface ContentReader {
  /** The next chunk, or undefined at the end; rejects when the source fails. */
  read(): Promise<Uint8Array | undefined>
  /** Stops reading: the source is cancelled (its file closed), a pending read ends. */
  cancel(reason: unknown): void
}

/** A message read from a stream while it is sent: only what the caller said is known up front. */
export interface StreamedBody {
  readonly streamed: true
  readonly size: number | undefined
  readonly eightBit: boolean | undefined
  readonly smtputf8: boolean
  /** The source declared that every line ends in CRLF (see `StreamSource.crlf`). */
  readonly crlf: boolean
  /** Opens the content: at most once per send. */
  open(): ContentReader
  /** The send ended without reading it: a stream given as it is (owned by the send) is cancelled. */
  discard(reason: unknown): void
}

/** The message as the transaction takes it: in memory, or streamed. */
export type Body = MessageSource | StreamedBody

/** Wraps what `send` was given, checking it. */
export function messageBody(raw: RawMessage): Body {
  if (typeof raw === 'string' || raw instanceof Uint8Array) return messageSource(raw)
  if (typeof raw === 'object' && raw !== null) {
    if (isReadableStream(raw)) return new OwnedStream(raw)
    if (typeof (raw as StreamSource).stream === 'function') return sourceBody(raw as StreamSource)
  }
  throw inputError(
    'raw must be a string, a Uint8Array, a ReadableStream or { size?, stream() }',
    'raw',
  )
}

function isReadableStream(value: object): value is ReadableStream<Uint8Array> {
  return typeof (value as Partial<ReadableStream>).getReader === 'function'
}

class OwnedStream implements StreamedBody {
  readonly streamed = true
  readonly size = undefined
  readonly eightBit = undefined
  readonly smtputf8 = false
  readonly crlf = false
  private opened = false

  constructor(private readonly stream: ReadableStream<Uint8Array>) {
    if (stream.locked) throw inputError('raw is a ReadableStream that is already being read', 'raw')
  }

  open(): ContentReader {
    this.opened = true
    return new StreamReader(this.stream)
  }

  discard(reason: unknown): void {
    if (!this.opened) this.stream.cancel(reason).catch(() => {})
  }
}

function sourceBody(source: StreamSource): StreamedBody {
  const { size, eightBit, smtputf8, crlf } = source
  if (size !== undefined && !(Number.isSafeInteger(size) && size >= 0)) {
    throw inputError('raw.size must be a whole number of octets, 0 or more', 'raw.size')
  }
  if (eightBit !== undefined && typeof eightBit !== 'boolean') {
    throw inputError('raw.eightBit must be true or false', 'raw.eightBit')
  }
  if (smtputf8 !== undefined && typeof smtputf8 !== 'boolean') {
    throw inputError('raw.smtputf8 must be true or false', 'raw.smtputf8')
  }
  if (crlf !== undefined && typeof crlf !== 'boolean') {
    throw inputError('raw.crlf must be true or false', 'raw.crlf')
  }
  return {
    streamed: true,
    size,
    eightBit,
    smtputf8: smtputf8 === true,
    crlf: crlf === true,
    open() {
      let stream: ReadableStream<Uint8Array>
      try {
        stream = source.stream()
        if (!isReadableStream(stream)) {
          throw inputError('raw.stream() must return a ReadableStream', 'raw.stream')
        }
      } catch (e) {
        return failedReader(e)
      }
      return new StreamReader(stream)
    },
    discard() {},
  }
}

class StreamReader implements ContentReader {
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>

  constructor(stream: ReadableStream<Uint8Array>) {
    this.reader = stream.getReader()
  }

  async read(): Promise<Uint8Array | undefined> {
    const r = await this.reader.read()
    if (r.done) return undefined
    const chunk: unknown = r.value
    if (chunk instanceof Uint8Array) return chunk
    // Views from another realm fail instanceof and are still bytes.
    if (ArrayBuffer.isView(chunk)) {
      return new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength)
    }
    throw inputError('the message stream gave a chunk that is not a Uint8Array', 'raw')
  }

  cancel(reason: unknown): void {
    this.reader.cancel(reason).catch(() => {})
  }
}

function failedReader(error: unknown): ContentReader {
  return { read: () => Promise.reject(error), cancel() {} }
}

/** An in-memory message read in slices, for a send that reports its progress. */
export function memoryReader(message: MessageSource, sliceSize: number): ContentReader {
  let at = 0
  return {
    read() {
      if (at >= message.size) return Promise.resolve(undefined)
      const slice = message.slice(at, at + sliceSize)
      at += sliceSize
      return Promise.resolve(slice)
    },
    cancel() {
      at = message.size
    },
  }
}
