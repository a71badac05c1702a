import { inputError, SmtpError } from '../errors.js'
import type { BdatStream } from './body.js'
import type { OperationSession } from './conversation.js'
import { encodeLines, endLines, initialLineState, stuffDots } from './data.js'
import type { SendProgress } from './envelope.js'
import { hasEightBit } from './message.js'
import type { ContentReader } from './stream.js'

// A source chunk is encoded and written in slices of at most this size (views, no copy), so the
// encoded output and the steps of progress stay small whatever the source gives.
const SLICE = 256 * 1024
// The next slice is read only once no more than this waits for the socket: with the slice being
// encoded (up to twice its size after dot-stuffing), about 1 MiB of the message is in memory.
const LOW_WATER = 512 * 1024

/** What the content pump asks of its transaction. */
export interface PumpOwner {
  /** The transaction still takes content: it was not refused, abandoned or interrupted. */
  readonly live: boolean
  /** The end of the data is queued or awaited: the last progress report may go out. */
  readonly finishing: boolean
  /** A BDAT chunk was queued: await its reply (`last`: the reply to the end of the data). */
  chunkWritten(last: boolean): void
  /** All of the content is queued; `endWritten`: its end too (the BDAT LAST chunk). */
  contentWritten(octets: number, endWritten: boolean): void
  /** The source failed, or gave what cannot be sent: nothing more is written. */
  sourceFailed(error: SmtpError): void
}

/** What a {@link ContentPump} is made of. */
export interface PumpInit {
  session: OperationSession
  owner: PumpOwner
  /** Opens the content (called once, when the pump starts). */
  open(): ContentReader
  /** BDAT chunks; undefined for DATA (normalised and dot-stuffed, RFC 5321 4.5.2). */
  bdat: BdatStream | undefined
  /** Without PIPELINING each BDAT chunk's reply is awaited before the next (RFC 3030 4.2). */
  pipelined: boolean
  /** The end goes apart, after the caller's `beforeEnd`: no LAST on the content's chunks. */
  endApart: boolean
  /** The message goes as 7-bit although its content is not known to be (see `Plan.sevenBit`). */
  sevenBit: boolean
  /** The source declared that every line ends in CRLF: only dots are stuffed (DATA). */
  crlf: boolean
  /** The octets the source declared, checked while reading. */
  total: number | undefined
  onProgress: ((progress: SendProgress) => void) | undefined
}

/**
 * Writes a streamed message's content to the session with backpressure: a slice is read,
 * encoded and queued, then the pump waits until the socket has taken enough of what is queued.
 * `onProgress` hears of octets once the socket has taken them.
 *
 * @example
 * const pump = new ContentPump({ session, owner: transaction, open, bdat: undefined, ... })
 * pump.start() // reads, writes, then calls owner.contentWritten()
 */
export class ContentPump {
  private readonly s: OperationSession
  private readonly owner: PumpOwner
  private readonly init: PumpInit
  private readonly state = initialLineState()
  private reader: ContentReader | undefined
  /** Source octets read so far. */
  private read = 0
  /** Source octets given to the encoder so far. */
  private encoded = 0
  /** Source octets whose encoded form is queued (BDAT gathers some before a chunk goes). */
  private queued = 0
  /** Pairs of (session position, source octets queued up to it), oldest first. */
  private readonly marks: number[] = []
  private reported = -1
  private completed = false
  /** Resolves the wait for a BDAT chunk's reply (without PIPELINING). */
  private replied: (() => void) | undefined

  constructor(init: PumpInit) {
    this.s = init.session
    this.owner = init.owner
    this.init = init
  }

  /** Starts reading and writing; settles through the owner. */
  start(): void {
    void this.run()
  }

  /** Stops reading (the transaction failed or was interrupted): the source is cancelled. */
  stop(reason: unknown): void {
    this.reader?.cancel(reason)
    this.replied?.()
  }

  /** A BDAT chunk was accepted: without PIPELINING the next one may go. */
  chunkAccepted(): void {
    const go = this.replied
    this.replied = undefined
    go?.()
  }

  /** The last report, sent === total, once everything was taken (at the latest, on success). */
  complete(): void {
    if (this.completed) return
    this.completed = true
    this.sentUpTo(this.queued, true)
  }

  private async run(): Promise<void> {
    try {
      const reader = this.init.open()
      this.reader = reader
      for (;;) {
        const chunk = await reader.read()
        if (!this.owner.live) return
        if (chunk === undefined) break
        this.count(chunk.length)
        for (let at = 0; at < chunk.length; at += SLICE) {
          await this.write(chunk.subarray(at, at + SLICE))
          await this.s.room(LOW_WATER)
          if (!this.owner.live) return
          this.report()
        }
      }
      if (this.init.total !== undefined && this.read !== this.init.total) {
        throw sizeMismatch(this.read, this.init.total)
      }
      await this.finish()
    } catch (e) {
      this.reader?.cancel(e)
      if (this.owner.live) this.owner.sourceFailed(sourceError(e, this.init.bdat !== undefined))
      return
    }
    await this.s.room(0)
    if (this.owner.finishing) this.complete()
  }

  private count(octets: number): void {
    this.read += octets
    const total = this.init.total
    if (total !== undefined && this.read > total) throw sizeMismatch(this.read, total)
  }

  private async write(slice: Uint8Array): Promise<void> {
    // RFC 6152 3: without BODY=8BITMIME only 7-bit content may go; never silently.
    if (this.init.sevenBit && hasEightBit(slice)) throw eightBitError()
    this.encoded += slice.length
    const { bdat, crlf } = this.init
    if (bdat === undefined) {
      this.queue([crlf ? stuffDots(slice, this.state) : encodeLines(slice, this.state, true)])
    } else {
      const chunk = bdat.push(slice, crlf)
      if (chunk !== undefined) await this.chunk(chunk, false)
    }
  }

  private async finish(): Promise<void> {
    const bdat = this.init.bdat
    const endWritten = bdat !== undefined && !this.init.endApart
    if (bdat === undefined) this.queue([endLines(this.state, false)])
    else {
      const chunk = bdat.finish(endWritten)
      if (chunk !== undefined) await this.chunk(chunk, endWritten)
      if (!this.owner.live) return
    }
    this.owner.contentWritten(this.read, endWritten)
  }

  /** Queues a BDAT chunk with its awaited reply; without PIPELINING, waits for that reply. */
  private async chunk(chunk: (string | Uint8Array)[], last: boolean): Promise<void> {
    const wait =
      this.init.pipelined || last
        ? undefined
        : new Promise<void>((resolve) => {
            this.replied = resolve
          })
    this.queue(chunk)
    this.owner.chunkWritten(last)
    this.s.flush()
    await wait
  }

  /** Queues encoded pieces: everything given to the encoder so far is in them. */
  private queue(pieces: (string | Uint8Array)[]): void {
    for (const piece of pieces) if (piece.length > 0) this.s.sendRaw(piece)
    this.queued = this.encoded
    this.marks.push(this.s.queued, this.queued)
    this.s.flush()
  }

  /** Reports the octets of every queued piece the socket has taken. */
  private report(): void {
    let sent = -1
    while (this.marks.length > 0 && this.s.handedUpTo(this.marks[0]!)) {
      sent = this.marks[1]!
      this.marks.splice(0, 2)
    }
    if (sent >= 0) this.sentUpTo(sent, false)
  }

  private sentUpTo(sent: number, last: boolean): void {
    const onProgress = this.init.onProgress
    if (onProgress === undefined) return
    const declared = this.init.total
    // Rising; the last report goes out unless an earlier one already said sent === total.
    if (
      last ? declared !== undefined && sent === this.reported : sent <= Math.max(this.reported, 0)
    )
      return
    this.reported = sent
    // An unknown size is known at the end: the last report always has its total.
    const total = declared ?? (last ? sent : undefined)
    try {
      onProgress(total === undefined ? { sent } : { sent, total })
    } catch (e) {
      // A listener's error is not the send's: report it as an uncaught one, as Node does for
      // an event listener that throws.
      queueMicrotask(() => {
        throw e
      })
    }
  }
}

function sizeMismatch(read: number, declared: number): SmtpError {
  return inputError(
    `the message stream gave ${read > declared ? 'more than' : 'only'} ${read} octets, not the ${declared} its size declared`,
    'raw.size',
  )
}

function eightBitError(): SmtpError {
  return new SmtpError(
    'The message contains 8-bit octets but the server does not offer 8BITMIME; encode it as 7-bit (quoted-printable or base64)',
    { stage: 'input', field: 'raw', hint: 'needs-8bitmime' },
  )
}

/** A failure of the source, as the send reports it: nothing was delivered, so transient. */
function sourceError(cause: unknown, bdat: boolean): SmtpError {
  if (cause instanceof SmtpError) return cause
  const reason = cause instanceof Error ? `: ${cause.message}` : ''
  return new SmtpError(`The message source failed${reason}; the message was abandoned`, {
    stage: 'data',
    command: bdat ? 'BDAT' : 'DATA',
    transient: true,
    cause,
  })
}
