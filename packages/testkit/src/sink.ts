import { createServer, type Socket } from 'node:net'
import { TLSSocket } from 'node:tls'
import { makeCertificates } from './certs.js'
import { Changes, closeServer } from './signal.js'

/** What the sink does with one message: reply with this line, drop the connection, or never reply. */
export type SinkDecision = string | 'drop' | 'stall'

/** The steps at which {@link SinkOptions.fault} may fail a connection or a transaction. */
export type SinkStep =
  | 'greeting'
  | 'ehlo'
  | 'starttls'
  | 'auth'
  | 'mail'
  | 'rcpt'
  | 'data'
  /** While the message content arrives (after 354, before the final dot is read). */
  | 'content'
  /** After the final dot, instead of the reply. */
  | 'end'

/** A fault: `'hangup'` closes the connection at once; a reply line (e.g. `'421 4.3.2 busy'`) answers instead of the success. */
export type SinkFault = 'hangup' | string

export interface SinkContext {
  /** 1-based number of the connection. */
  connection: number
  /** The message's Message-ID header, e.g. '<m-1@test>'. */
  messageId: string
  /** How many times this Message-ID arrived before (on any connection). */
  seenBefore: number
}

export interface SinkFaultContext {
  connection: number
  /** The reverse-path of the transaction (from MAIL on); undefined before MAIL. */
  from: string | undefined
  /** How many MAIL commands with this reverse-path the sink has seen, this one included. */
  attempt: number
  /** At step 'rcpt': the forward-path of this RCPT command. */
  address?: string
  /** At step 'end': the content's Message-ID field ('<none>' without one). */
  messageId?: string
  /** From step 'rcpt' on: the recipients accepted so far in this transaction. */
  recipients: readonly string[]
}

export interface SinkOptions {
  /** Decides the reply to the final dot. Default: '250 2.0.0 queued'. */
  onMessage?: (ctx: SinkContext) => SinkDecision
  /** Called when DATA arrives (before 354); 'drop' closes the connection before any data. */
  onDataCommand?: (ctx: { connection: number; transaction: number }) => 'drop' | undefined
  /** Called when a connection opens; 'stall' sends no greeting (for abort tests). */
  onConnect?: (connection: number) => 'stall' | undefined
  /**
   * Milliseconds the sink takes before it replies to the final dot, as a slow server does
   * (replies on one connection keep their order). Default 0.
   */
  replyDelayMs?: number
  /** Advertise PIPELINING. Default true. */
  pipelining?: boolean
  /** Offer STARTTLS with testkit's certificate (see `ca`) and require it before AUTH and MAIL. */
  starttls?: boolean
  /** Offer AUTH PLAIN and require these credentials before MAIL. */
  auth?: { user: string; pass: string }
  /** Called at every step; a fault replaces the normal answer (seeded fault models). */
  fault?: (step: SinkStep, ctx: SinkFaultContext) => SinkFault | undefined
}

/** One MAIL transaction the sink saw, and what became of it. */
export interface SinkTransaction {
  connection: number
  /** The reverse-path given to MAIL. */
  from: string
  /** When MAIL arrived (`Date.now()`), for rate checks on the server's side. */
  at: number
  /** The forward-paths the sink accepted with 250, in order. */
  to: string[]
  /** From the content's Message-ID field, once the content arrived. */
  messageId?: string
  /**
   * `accepted`: 2xx after the final dot; `taken`: the content arrived whole but the sink hung up
   * or stalled instead of replying (it may count as delivered); `refused`: a 4xx/5xx reply at
   * some step; `lost`: the connection closed before the content arrived whole; `open`: not over.
   */
  outcome: 'accepted' | 'taken' | 'refused' | 'lost' | 'open'
}

/**
 * A small SMTP server for faults a real server cannot produce on demand: dropped connections,
 * 451 replies to chosen messages, seeded faults at every step. It records what it acknowledged
 * with 250 and what it received but never acknowledged; `until` waits for any of it.
 */
export interface SmtpSink {
  port: number
  /** PEM CA of the STARTTLS certificate (CN=localhost, SAN 127.0.0.1). */
  ca: string
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
  /** Every MAIL transaction seen, in order, including those left unread in a dropped connection. */
  readonly transactions: SinkTransaction[]
  /**
   * Resolves once `check()` holds, checked again after every event of the sink (a connection,
   * a command, a reply, a close): a signal, not a poll. Rejects after `timeoutMs`.
   */
  until(check: () => boolean, timeoutMs?: number): Promise<void>
  stop(): Promise<void>
}

const MESSAGE_ID = /^Message-ID:[ \t]*(<[^>\r\n]+>)/im
const MAIL_FROM = /^MAIL FROM:<([^>]*)>/i
const RCPT_TO = /^RCPT TO:<([^>]*)>/i

/** Starts the sink on 127.0.0.1, port 0. */
export async function startSmtpSink(options: SinkOptions = {}): Promise<SmtpSink> {
  const { ca, key, cert } = await makeCertificates()
  const state = {
    connections: 0,
    quits: 0,
    closed: 0,
    maxOpen: 0,
    accepted: [] as string[],
    unanswered: [] as string[],
    replies: [] as { messageId: string; reply: string }[],
    transactions: [] as SinkTransaction[],
  }
  const seen = new Map<string, number>()
  const mails = new Map<string, number>()
  const changes = new Changes('sink')
  const sockets = new Set<Socket>()
  const server = createServer((socket) => {
    sockets.add(socket)
    const connection = ++state.connections
    state.maxOpen = Math.max(state.maxOpen, state.connections - state.closed)
    changes.changed()
    const c = new LineReader(socket)
    converse(c, connection)
      .catch(() => {
        // The client closed the connection: expected in fault tests.
      })
      .finally(() => {
        for (const t of state.transactions) {
          if (t.connection === connection && t.outcome === 'open') t.outcome = 'lost'
        }
        c.destroy()
        state.closed++
        sockets.delete(socket)
        changes.changed()
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
    let tx: SinkTransaction | undefined
    let attempt = 0
    let secure = false
    let authenticated = options.auth === undefined
    let recipients = 0
    const fault = (step: SinkStep, extra: { address?: string; messageId?: string } = {}) =>
      options.fault?.(step, {
        connection,
        from: tx?.from,
        attempt,
        recipients: tx?.to ?? [],
        ...extra,
      })
    /** Carries out a fault: false when the conversation goes on. */
    const failed = (f: SinkFault | undefined): boolean => {
      if (f === undefined) return false
      if (f === 'hangup') {
        hangUp()
        return true
      }
      c.write(`${f}\r\n`)
      if (tx !== undefined && tx.outcome === 'open') tx.outcome = 'refused'
      if (f.startsWith('421')) {
        c.end()
        return true
      }
      return false
    }
    const hangUp = () => {
      // Transactions pipelined behind, already received but never read, count as seen.
      for (const line of c.unread().split('\r\n')) {
        const from = MAIL_FROM.exec(line)?.[1]
        if (from !== undefined) record(from, 'lost')
      }
      c.destroy()
    }
    const record = (from: string, outcome: SinkTransaction['outcome']): SinkTransaction => {
      attempt = (mails.get(from) ?? 0) + 1
      mails.set(from, attempt)
      const t: SinkTransaction = { connection, from, at: Date.now(), to: [], outcome }
      state.transactions.push(t)
      changes.changed()
      return t
    }

    const greeting = fault('greeting')
    if (greeting === 'hangup') return hangUp()
    if (greeting !== undefined) {
      c.write(`${greeting}\r\n`)
      c.end()
      return
    }
    c.write('220 sink ESMTP ready\r\n')
    let transaction = 0
    const write = (reply: string) => c.write(reply)
    for (;;) {
      const line = await c.readLine()
      const verb = line.slice(0, 4).toUpperCase()
      if (verb === 'EHLO') {
        if (failed(fault('ehlo'))) return
        const lines = ['sink']
        if (options.pipelining !== false) lines.push('PIPELINING')
        lines.push('8BITMIME', 'SMTPUTF8')
        if (options.starttls === true && !secure) lines.push('STARTTLS')
        else if (options.auth !== undefined) lines.push('AUTH PLAIN')
        write(lines.map((l, i) => `250${i === lines.length - 1 ? ' ' : '-'}${l}\r\n`).join(''))
      } else if (verb === 'STAR' && options.starttls === true && !secure) {
        if (failed(fault('starttls'))) return
        write('220 2.0.0 ready to start TLS\r\n')
        await c.upgrade(key, cert)
        secure = true
      } else if (verb === 'AUTH' && options.auth !== undefined) {
        if (failed(fault('auth'))) return
        const plain = Buffer.from(line.split(' ')[2] ?? '', 'base64').toString('utf8')
        const { user, pass } = options.auth
        authenticated = plain === `\0${user}\0${pass}`
        write(authenticated ? '235 2.7.0 ok\r\n' : '535 5.7.8 bad credentials\r\n')
      } else if (verb === 'MAIL') {
        if ((options.starttls === true && !secure) || !authenticated) {
          write('530 5.7.0 authentication required\r\n')
          continue
        }
        tx = record(MAIL_FROM.exec(line)?.[1] ?? '', 'open')
        recipients = 0
        if (failed(fault('mail'))) return
        if (tx.outcome === 'refused') tx = undefined
        else write('250 2.1.0 ok\r\n')
      } else if (verb === 'RCPT') {
        if (tx === undefined) {
          write('503 5.5.1 MAIL first\r\n')
          continue
        }
        const address = RCPT_TO.exec(line)?.[1] ?? ''
        const f = fault('rcpt', { address })
        if (f === 'hangup') return hangUp()
        if (f !== undefined) {
          // One refused recipient does not end the transaction; a refused one is not counted.
          c.write(`${f}\r\n`)
          if (f.startsWith('421')) {
            tx.outcome = 'refused'
            c.end()
            return
          }
          continue
        }
        recipients++
        tx.to.push(address)
        write('250 2.1.5 ok\r\n')
      } else if (verb === 'DATA') {
        if (tx === undefined || recipients === 0) {
          if (tx !== undefined) tx.outcome = 'refused'
          tx = undefined
          write('503 5.5.1 no valid recipients\r\n')
          continue
        }
        transaction++
        if (options.onDataCommand?.({ connection, transaction }) === 'drop') {
          c.destroy()
          return
        }
        if (failed(fault('data'))) return
        if (tx.outcome === 'refused') {
          tx = undefined
          continue
        }
        write('354 go ahead\r\n')
        if (fault('content') === 'hangup') {
          await c.readSome()
          return hangUp()
        }
        const data = (await c.readUntil('\r\n.\r\n')).toString('latin1')
        const messageId = MESSAGE_ID.exec(data)?.[1] ?? '<none>'
        tx.messageId = messageId
        const seenBefore = seen.get(messageId) ?? 0
        seen.set(messageId, seenBefore + 1)
        const current = tx
        tx = undefined
        const endFault = fault('end', { messageId })
        if (options.replyDelayMs !== undefined && options.replyDelayMs > 0) {
          await new Promise((resolve) => setTimeout(resolve, options.replyDelayMs))
        }
        const decision =
          endFault === 'hangup'
            ? 'drop'
            : (endFault ??
              options.onMessage?.({ connection, messageId, seenBefore }) ??
              '250 2.0.0 queued')
        if (decision === 'stall' || decision === 'drop') {
          current.outcome = 'taken'
          state.unanswered.push(messageId)
          changes.changed()
          if (decision === 'drop') return hangUp()
          await c.readLine() // until the client gives up and closes
          return
        }
        state.replies.push({ messageId, reply: decision })
        current.outcome = decision.startsWith('2') ? 'accepted' : 'refused'
        if (decision.startsWith('2')) state.accepted.push(messageId)
        changes.changed()
        c.write(`${decision}\r\n`)
        if (decision.startsWith('421')) {
          c.end()
          return
        }
      } else if (verb === 'RSET') {
        if (tx?.outcome === 'open') tx.outcome = 'refused'
        tx = undefined
        write('250 2.0.0 ok\r\n')
      } else if (verb === 'QUIT') {
        state.quits++
        changes.changed()
        write('221 bye\r\n')
        c.end()
        return
      } else if (verb === 'NOOP' || verb === 'HELO') {
        write('250 ok\r\n')
      } else {
        write('502 command not implemented\r\n')
      }
    }
  }

  return {
    port,
    ca,
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
    transactions: state.transactions,
    until: (check, timeoutMs = 10_000) => changes.until(check, timeoutMs),
    stop: () => closeServer(server, sockets),
  }
}

/** Reads CRLF lines and data blocks from a socket (plain, then TLS); rejects once the peer has closed. */
class LineReader {
  socket: Socket
  private buffer: Buffer = Buffer.alloc(0)
  private closed = false
  private wake: (() => void) | undefined

  constructor(socket: Socket) {
    this.socket = socket
    // Replies go out at once: no Nagle delay against the client's delayed ACKs.
    socket.setNoDelay(true)
    this.attach(socket)
  }

  private attach(socket: Socket): void {
    socket.on('data', this.onData)
    socket.on('close', this.onClose)
    socket.on('error', () => {})
  }

  private readonly onData = (chunk: Buffer) => {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk])
    this.notify()
  }

  private readonly onClose = () => {
    this.closed = true
    this.notify()
  }

  private notify(): void {
    const wake = this.wake
    this.wake = undefined
    wake?.()
  }

  /** RFC 3207 4: TLS as the server; plaintext received before it is discarded. */
  upgrade(key: string, cert: string): Promise<void> {
    const plain = this.socket
    plain.off('data', this.onData)
    plain.off('close', this.onClose)
    this.buffer = Buffer.alloc(0)
    const secure = new TLSSocket(plain, { isServer: true, key, cert })
    this.socket = secure
    this.attach(secure)
    return new Promise((resolve, reject) => {
      secure.once('secure', () => resolve())
      secure.once('close', () => reject(new Error('sink: closed during the TLS handshake')))
    })
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

  /** What arrived and was not read yet. */
  unread(): string {
    return this.buffer.toString('latin1')
  }

  async readLine(): Promise<string> {
    return (await this.take('\r\n', false)).toString('latin1')
  }

  readUntil(marker: string): Promise<Buffer> {
    return this.take(marker, true)
  }

  /** Waits until at least one byte is unread. */
  async readSome(): Promise<void> {
    while (this.buffer.length === 0) {
      if (this.closed) throw new Error('connection closed')
      await new Promise<void>((resolve) => {
        this.wake = resolve
      })
    }
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
