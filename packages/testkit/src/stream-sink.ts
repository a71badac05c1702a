import { once } from 'node:events'
import { createServer, type Socket } from 'node:net'
import { PassThrough, type Readable } from 'node:stream'
import { Changes, closeServer } from './signal.js'

const CR = 0x0d
const LF = 0x0a
const EMPTY = Buffer.alloc(0)
// Unread octets kept before the socket is paused: a slow consumer slows the client down.
const HIGH_WATER = 1024 * 1024

/** The envelope of one message a {@link StreamSink} takes. */
export interface StreamSinkEnvelope {
  from: string
  to: string[]
  /** MAIL FROM parameters as sent, e.g. `['SIZE=1234', 'BODY=8BITMIME']`. */
  params: string[]
  /** How the content came: 'DATA' or 'BDAT' (with the number of chunks). */
  via: 'DATA' | 'BDAT'
  chunks: number
}

/** Options of {@link startStreamSink}. */
export interface StreamSinkOptions<T> {
  /** Offer CHUNKING (RFC 3030), so a client sends BDAT. Default false: DATA only. */
  chunking?: boolean
  /**
   * Reads one message while it arrives: its octets exactly as the client meant them (DATA
   * dot-unstuffed without the final ".", BDAT chunks joined), with backpressure (a slow reader
   * slows the client). The sink answers the end of the data with 250 once it resolves, 554 if it
   * rejects. The envelope's `chunks` is complete only then.
   */
  consume(message: Readable, envelope: StreamSinkEnvelope): Promise<T>
}

/**
 * An SMTP server on 127.0.0.1 for messages of any size: nothing is kept in memory or on disk,
 * each message is streamed to `consume` (e.g. a hash, a streaming MIME parser). It offers
 * PIPELINING, 8BITMIME, SIZE without a limit and, when asked, CHUNKING.
 *
 * @example
 * const sink = await startStreamSink({ consume: (m) => sha256(m) })
 * // ...send to sink.port...
 * await sink.until(() => sink.results.length === 1)
 */
export interface StreamSink<T> {
  port: number
  /** What `consume` resolved, one per message, in order of arrival. */
  readonly results: { value: T; envelope: StreamSinkEnvelope }[]
  /** What `consume` rejected with. */
  readonly errors: Error[]
  /** MAIL commands received. */
  readonly mails: number
  /** Resolves once `check()` holds, checked after every event; rejects after `timeoutMs`. */
  until(check: () => boolean, timeoutMs?: number): Promise<void>
  stop(): Promise<void>
}

/** Starts a {@link StreamSink} on 127.0.0.1, port 0. */
export async function startStreamSink<T>(options: StreamSinkOptions<T>): Promise<StreamSink<T>> {
  const results: { value: T; envelope: StreamSinkEnvelope }[] = []
  const errors: Error[] = []
  let mails = 0
  const changes = new Changes('stream sink')
  const sockets = new Set<Socket>()
  const server = createServer((socket) => {
    sockets.add(socket)
    converse(new Reader(socket))
      .catch(() => {
        // The client went away: nothing to report.
      })
      .finally(() => {
        socket.destroy()
        sockets.delete(socket)
        changes.changed()
      })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }

  async function converse(c: Reader): Promise<void> {
    c.write('220 stream-sink ESMTP\r\n')
    let envelope: StreamSinkEnvelope | undefined
    let message: { stream: PassThrough; done: Promise<string> } | undefined
    const open = (env: StreamSinkEnvelope) => {
      const stream = new PassThrough()
      const done = options.consume(stream, env).then(
        (value) => {
          results.push({ value, envelope: env })
          return '250 2.0.0 taken'
        },
        (e: unknown) => {
          errors.push(e instanceof Error ? e : new Error(String(e)))
          return '554 5.6.0 consume failed'
        },
      )
      return { stream, done }
    }
    for (;;) {
      const line = await c.line()
      const verb = line.slice(0, 4).toUpperCase()
      if (verb === 'EHLO') {
        const ext = ['stream-sink', 'PIPELINING', '8BITMIME', 'SIZE']
        if (options.chunking === true) ext.push('CHUNKING')
        c.write(ext.map((l, i) => `250${i === ext.length - 1 ? ' ' : '-'}${l}\r\n`).join(''))
      } else if (verb === 'MAIL') {
        mails++
        changes.changed()
        const m = /^MAIL FROM:<([^>]*)>(.*)$/i.exec(line)
        const params = (m?.[2] ?? '').trim().split(/ +/).filter(Boolean)
        envelope = { from: m?.[1] ?? '', to: [], params, via: 'DATA', chunks: 0 }
        c.write('250 2.1.0 ok\r\n')
      } else if (verb === 'RCPT') {
        envelope?.to.push(/<([^>]*)>/.exec(line)?.[1] ?? '')
        c.write(envelope === undefined ? '503 5.5.1 MAIL first\r\n' : '250 2.1.5 ok\r\n')
      } else if (verb === 'DATA') {
        if (envelope === undefined || envelope.to.length === 0) {
          c.write('503 5.5.1 no recipients\r\n')
          continue
        }
        c.write('354 go ahead\r\n')
        message = open(envelope)
        await readData(c, message.stream)
        message.stream.end()
        c.write(`${await message.done}\r\n`)
        envelope = undefined
        message = undefined
      } else if (verb === 'BDAT' && options.chunking === true) {
        const m = /^BDAT (\d+)( LAST)?$/i.exec(line)
        if (m === null || envelope === undefined) {
          c.write('501 5.5.4 BDAT size [LAST]\r\n')
          continue
        }
        envelope.via = 'BDAT'
        envelope.chunks++
        message ??= open(envelope)
        await c.copy(Number(m[1]), message.stream)
        if (m[2] === undefined) {
          c.write('250 2.0.0 chunk\r\n')
          continue
        }
        message.stream.end()
        c.write(`${await message.done}\r\n`)
        envelope = undefined
        message = undefined
      } else if (verb === 'RSET') {
        message?.stream.destroy()
        envelope = undefined
        message = undefined
        c.write('250 2.0.0 ok\r\n')
      } else if (verb === 'QUIT') {
        c.write('221 2.0.0 bye\r\n')
        c.end()
        return
      } else if (verb === 'NOOP') c.write('250 2.0.0 ok\r\n')
      else c.write('502 5.5.1 not implemented\r\n')
    }
  }

  return {
    port,
    results,
    errors,
    get mails() {
      return mails
    },
    until: (check, timeoutMs = 60_000) => changes.until(check, timeoutMs),
    stop: () => closeServer(server, sockets),
  }

  /** DATA content to its end, unstuffed, written to `out` with backpressure. */
  async function readData(c: Reader, out: PassThrough): Promise<void> {
    const unstuff = new DataUnstuffer()
    for (;;) {
      const { content, rest } = unstuff.feed(await c.take())
      for (const part of content) await put(out, part)
      if (rest !== undefined) {
        c.unshift(rest)
        return
      }
    }
  }
}

async function put(out: PassThrough, bytes: Buffer): Promise<void> {
  if (bytes.length > 0 && !out.write(bytes)) await once(out, 'drain')
}

/**
 * Undoes DATA's dot-stuffing as octets arrive (RFC 5321 4.5.2) and finds the end of the data
 * (a line holding only '.'), across any cut of the input. The content keeps the CRLF of its last
 * line; the end's '.\r\n' is not content.
 *
 * @example
 * const u = new DataUnstuffer()
 * u.feed(Buffer.from('..a\r\n.\r\nQUIT\r\n')) // { content: ['.a\r\n'], rest: 'QUIT\r\n' }
 */
export class DataUnstuffer {
  /** Octets held back: the start of a '\r\n.' sequence cut by the end of a chunk. */
  private carry: Buffer = Buffer.from('\r\n')
  /** Leading octets of `carry` that are not content (the DATA line's CRLF). */
  private skip = 2

  feed(chunk: Buffer): { content: Buffer[]; rest?: Buffer } {
    const buf = this.carry.length === 0 ? chunk : Buffer.concat([this.carry, chunk])
    const content: Buffer[] = []
    const emit = (from: number, to: number) => {
      const start = Math.max(from, this.skip)
      if (to > start) content.push(buf.subarray(start, to))
    }
    const hold = (from: number) => {
      this.carry = buf.subarray(from)
      this.skip = Math.max(0, this.skip - from)
    }
    let pos = 0
    let search = 0
    for (;;) {
      const k = buf.indexOf('\r\n.', search, 'latin1')
      if (k < 0) {
        const n = buf.length
        const keep =
          n >= 2 && buf[n - 2] === CR && buf[n - 1] === LF ? 2 : buf[n - 1] === CR ? 1 : 0
        emit(pos, n - keep)
        hold(n - keep)
        return { content }
      }
      if (k + 3 >= buf.length || (buf[k + 3] === CR && k + 4 >= buf.length)) {
        // Not yet known whether this dot is stuffed or ends the data.
        emit(pos, k)
        hold(k)
        return { content }
      }
      if (buf[k + 3] === CR && buf[k + 4] === LF) {
        emit(pos, k + 2)
        this.carry = EMPTY
        this.skip = 0
        return { content, rest: buf.subarray(k + 5) }
      }
      // A stuffed dot: the line's content starts after it.
      emit(pos, k + 2)
      pos = k + 3
      search = k + 3
    }
  }
}

/** Lines and octets from a socket, paused while a slow reader lets unread octets pile up. */
class Reader {
  private buf: Buffer = EMPTY
  private closed = false
  private wake: (() => void) | undefined

  constructor(private readonly socket: Socket) {
    socket.setNoDelay(true)
    socket.on('data', (chunk: Buffer) => {
      this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk])
      if (this.buf.length > HIGH_WATER) socket.pause()
      this.notify()
    })
    socket.on('close', () => {
      this.closed = true
      this.notify()
    })
    socket.on('error', () => {})
  }

  private notify(): void {
    const wake = this.wake
    this.wake = undefined
    wake?.()
  }

  private async more(): Promise<void> {
    if (this.closed) throw new Error('stream sink: the client closed the connection')
    this.socket.resume()
    await new Promise<void>((resolve) => {
      this.wake = resolve
    })
  }

  write(text: string): void {
    if (!this.socket.destroyed) this.socket.write(text)
  }

  end(): void {
    this.socket.end()
  }

  async line(): Promise<string> {
    for (;;) {
      const at = this.buf.indexOf('\r\n', 0, 'latin1')
      if (at >= 0) {
        const line = this.buf.toString('latin1', 0, at)
        this.buf = this.buf.subarray(at + 2)
        return line
      }
      await this.more()
    }
  }

  /** Every octet buffered (at least one). */
  async take(): Promise<Buffer> {
    while (this.buf.length === 0) await this.more()
    const out = this.buf
    this.buf = EMPTY
    this.socket.resume()
    return out
  }

  unshift(bytes: Buffer): void {
    if (bytes.length === 0) return
    this.buf = this.buf.length === 0 ? bytes : Buffer.concat([bytes, this.buf])
  }

  /** Exactly `size` octets, written to `out` with backpressure. */
  async copy(size: number, out: PassThrough): Promise<void> {
    let left = size
    while (left > 0) {
      const chunk = await this.take()
      const part = chunk.subarray(0, left)
      this.unshift(chunk.subarray(part.length))
      left -= part.length
      await put(out, part)
    }
  }
}
