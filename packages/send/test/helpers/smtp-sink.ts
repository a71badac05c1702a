import { createServer, type Socket } from 'node:net'

/** What the sink does with one message: reply with this line, drop the connection, or never reply. */
export type SinkDecision = string | 'drop' | 'stall'

export interface SinkContext {
  /** 1-based number of the connection. */
  connection: number
  /** The message's Message-ID header, e.g. '<m-1@test>'. */
  messageId: string
  /** How many times this Message-ID arrived before (on any connection). */
  seenBefore: number
}

export interface SinkOptions {
  /** Decides the reply to the final dot. Default: '250 2.0.0 queued'. */
  onMessage?: (ctx: SinkContext) => SinkDecision
  /** Called when DATA arrives (before 354); 'drop' closes the connection before any data. */
  onDataCommand?: (ctx: { connection: number; transaction: number }) => 'drop' | undefined
  /** Called when a connection opens; 'stall' sends no greeting (for abort tests). */
  onConnect?: (connection: number) => 'stall' | undefined
  /** Advertise PIPELINING. Default true. */
  pipelining?: boolean
}

/**
 * A small SMTP server for faults a real server cannot produce on demand: dropped connections,
 * 451 replies to chosen messages. It records what it acknowledged with 250 and what it
 * received but never acknowledged.
 */
export interface SmtpSink {
  port: number
  /** Connections opened so far. */
  readonly connections: number
  /** QUIT commands received. */
  readonly quits: number
  /** Connections closed (by either side). */
  readonly closed: number
  /** The most connections open at the same time. */
  readonly maxOpen: number
  /** Message-IDs acknowledged with a 2xx reply, in order. */
  readonly accepted: string[]
  /** Message-IDs whose data arrived but whose connection was dropped before the reply. */
  readonly unanswered: string[]
  /** Every reply line decided for a message, with its Message-ID. */
  readonly replies: { messageId: string; reply: string }[]
  stop(): Promise<void>
}

const MESSAGE_ID = /^Message-ID:[ \t]*(<[^>\r\n]+>)/im

export async function startSmtpSink(options: SinkOptions = {}): Promise<SmtpSink> {
  const state = {
    connections: 0,
    quits: 0,
    closed: 0,
    maxOpen: 0,
    accepted: [] as string[],
    unanswered: [] as string[],
    replies: [] as { messageId: string; reply: string }[],
  }
  const seen = new Map<string, number>()
  const sockets = new Set<Socket>()
  const server = createServer((socket) => {
    sockets.add(socket)
    const connection = ++state.connections
    state.maxOpen = Math.max(state.maxOpen, state.connections - state.closed)
    const c = new LineReader(socket)
    converse(c, connection)
      .catch(() => {
        // The client closed the connection: expected in fault tests.
      })
      .finally(() => {
        state.closed++
        socket.destroy()
        sockets.delete(socket)
      })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  const port = typeof address === 'object' && address !== null ? address.port : 0

  async function converse(c: LineReader, connection: number): Promise<void> {
    if (options.onConnect?.(connection) === 'stall') {
      await c.readLine()
      return
    }
    c.write('220 sink ESMTP ready\r\n')
    let transaction = 0
    const write = (reply: string) => c.write(reply)
    for (;;) {
      const line = await c.readLine()
      const verb = line.slice(0, 4).toUpperCase()
      if (verb === 'EHLO') {
        const pipelining = options.pipelining === false ? '' : '250-PIPELINING\r\n'
        write(`250-sink\r\n${pipelining}250-8BITMIME\r\n250 SMTPUTF8\r\n`)
      } else if (verb === 'DATA') {
        transaction++
        if (options.onDataCommand?.({ connection, transaction }) === 'drop') {
          c.destroy()
          return
        }
        write('354 go ahead\r\n')
        const data = (await c.readUntil('\r\n.\r\n')).toString('latin1')
        const messageId = MESSAGE_ID.exec(data)?.[1] ?? '<none>'
        const seenBefore = seen.get(messageId) ?? 0
        seen.set(messageId, seenBefore + 1)
        const decision =
          options.onMessage?.({ connection, messageId, seenBefore }) ?? '250 2.0.0 queued'
        if (decision === 'stall') {
          state.unanswered.push(messageId)
          await c.readLine() // until the client gives up and closes
          return
        }
        if (decision === 'drop') {
          state.unanswered.push(messageId)
          c.destroy()
          return
        }
        state.replies.push({ messageId, reply: decision })
        if (decision.startsWith('2')) state.accepted.push(messageId)
        c.write(`${decision}\r\n`)
      } else if (verb === 'QUIT') {
        state.quits++
        write('221 bye\r\n')
        c.end()
        return
      } else if (['MAIL', 'RCPT', 'RSET', 'NOOP', 'HELO'].includes(verb)) {
        write('250 ok\r\n')
      } else {
        write('502 command not implemented\r\n')
      }
    }
  }

  return {
    port,
    get connections() {
      return state.connections
    },
    get quits() {
      return state.quits
    },
    get closed() {
      return state.closed
    },
    get maxOpen() {
      return state.maxOpen
    },
    accepted: state.accepted,
    unanswered: state.unanswered,
    replies: state.replies,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      }),
  }
}

/** Reads CRLF lines and data blocks from a socket; rejects once the peer has closed. */
class LineReader {
  private buffer: Buffer = Buffer.alloc(0)
  private closed = false
  private wake: (() => void) | undefined

  constructor(private readonly socket: Socket) {
    // Replies go out at once: no Nagle delay against the client's delayed ACKs.
    socket.setNoDelay(true)
    socket.on('data', (chunk: Buffer) => {
      this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk])
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

  write(data: string): void {
    if (!this.socket.destroyed) this.socket.write(data)
  }

  end(): void {
    this.socket.end()
  }

  destroy(): void {
    this.socket.destroy()
  }

  async readLine(): Promise<string> {
    return (await this.take('\r\n', false)).toString('latin1')
  }

  readUntil(marker: string): Promise<Buffer> {
    return this.take(marker, true)
  }

  private async take(marker: string, keep: boolean): Promise<Buffer> {
    for (;;) {
      const at = this.buffer.indexOf(marker, 0, 'latin1')
      if (at >= 0) {
        const out = this.buffer.subarray(0, keep ? at + marker.length : at)
        this.buffer = this.buffer.subarray(at + marker.length)
        return out
      }
      if (this.closed) throw new Error('connection closed')
      await new Promise<void>((resolve) => {
        this.wake = resolve
      })
    }
  }
}

/** Waits (polling, with a generous limit) until `check` holds; for server-side effects. */
export async function eventually(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const start = Date.now()
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not reached in time')
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}
