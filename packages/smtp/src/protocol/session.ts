import { notStartedError, SmtpError, type SmtpStage } from '../errors.js'
import { type Capabilities, emptyCapabilities } from './capabilities.js'
import { Fifo } from './fifo.js'
import { Handshake } from './handshake.js'
import { type Reply, ReplyParser } from './reply-parser.js'
import type { Expectation, Operation, SessionConfig, SessionHost, WireChunk } from './types.js'

const MAX_IN_FLIGHT = 256

type State = 'greeting' | 'handshake' | 'tls' | 'ready' | 'closed'

/**
 * The SMTP client protocol as a pure state machine (sans I/O): bytes from the server go in
 * through {@link receive}; commands come out through `host.write`, batched so that everything
 * produced while handling one packet leaves in one write (RFC 2920 pipelining).
 *
 * @example
 * const s = new Session(config, host)
 * s.receive(bytes('220 mx ESMTP\r\n')) // host.write(['EHLO client.example\r\n'])
 */
export class Session {
  capabilities: Capabilities = emptyCapabilities()
  secure: boolean
  authenticated = false
  private state: State = 'greeting'
  private readonly parser = new ReplyParser()
  private readonly expectations = new Fifo<Expectation>()
  private out: WireChunk[] = []
  /** Chunks ever queued by send and sendRaw (see {@link queued}). */
  private pushed = 0
  private readonly queue = new Fifo<Operation>()
  private active: Operation[] = []
  /** The operation started before the one now starting. */
  private previous: Operation | undefined
  private readonly handshake: Handshake
  private seenBytes = false
  /** A failed transaction may have left MAIL state open on the server: RSET first. */
  dirty = false

  constructor(
    readonly config: SessionConfig,
    readonly host: SessionHost,
  ) {
    this.secure = config.secure
    this.handshake = new Handshake(this)
    this.handshake.start()
  }

  /** The session can take another transaction. */
  get usable(): boolean {
    return this.state === 'ready'
  }

  get pipelining(): boolean {
    return Object.hasOwn(this.capabilities.extensions, 'PIPELINING')
  }

  /** Feeds bytes read from the socket. */
  receive(bytes: Uint8Array): void {
    if (this.state === 'closed' || this.state === 'tls') return
    if (!this.seenBytes && bytes.length > 0) {
      this.seenBytes = true
      // A TLS record (type 22, handshake) where a plaintext greeting belongs.
      if (!this.secure && bytes[0] === 0x16) {
        this.fatal(
          new SmtpError(
            "Received TLS data on a plaintext connection: this port expects TLS from the start; use security: 'implicit' (usually port 465)",
            { stage: 'greeting' },
          ),
        )
        return
      }
    }
    let replies: Reply[]
    try {
      replies = this.parser.push(bytes)
    } catch (e) {
      this.fatal(this.error(`Invalid reply from the server: ${(e as Error).message}`))
      return
    }
    for (const reply of replies) {
      this.dispatch(reply)
      const state = this.state as State
      if (state === 'closed') return
      // RFC 3207 4.2 / response injection: nothing sent in plaintext after the STARTTLS reply counts.
      if (state === 'tls') {
        this.parser.reset()
        break
      }
    }
    this.flush()
  }

  private dispatch(reply: Reply): void {
    if (this.host.logging) for (const line of reply.raw.split('\n')) this.host.log('server', line)
    const head = this.expectations.shift()
    if (reply.code === 421 && head?.command !== 'QUIT') {
      // RFC 5321 3.8: 421 means the server is closing the channel, whatever we asked.
      this.fatal(this.replyError('The server is closing the connection', reply, head))
      return
    }
    if (head === undefined) {
      this.fatal(this.error(`Unexpected reply from the server: ${reply.raw}`))
      return
    }
    head.handle(reply)
  }

  /** Queues a command line with the reply it expects; `logAs` replaces a secret in the log. */
  send(line: string, expectation: Expectation, logAs?: string): void {
    this.out.push(line)
    this.pushed++
    this.expectations.push(expectation)
    if (this.host.logging) this.host.log('client', logAs ?? line.slice(0, -2))
  }

  /** Queues bytes that expect no reply of their own (message content). */
  sendRaw(chunk: WireChunk): void {
    this.out.push(chunk)
    this.pushed++
  }

  /** How many chunks have been queued so far: the position just after the last one. */
  get queued(): number {
    return this.pushed
  }

  /** Whether the chunks queued up to `position` (see {@link queued}) reached the socket. */
  handedUpTo(position: number): boolean {
    return (this.host.handed ?? Number.POSITIVE_INFINITY) >= position
  }

  /** Registers an awaited reply without writing, at the end or (LMTP) next in line. */
  expect(expectation: Expectation, next = false): void {
    if (next) this.expectations.unshift(expectation)
    else this.expectations.push(expectation)
  }

  /** Writes what was queued, in one write, and tells the host what it now waits for. */
  flush(): void {
    if (this.out.length > 0 && this.state !== 'closed') {
      const out = this.out
      this.out = []
      this.host.write(out)
    }
    if (this.state !== 'closed') this.host.awaiting(this.expectations.peek())
  }

  /** Queues an operation; it starts when the connection is free or can pipeline it. */
  enqueue(op: Operation): void {
    if (this.state !== 'ready') {
      op.fail(
        new SmtpError('The connection is closed', {
          stage: 'connect',
          transient: true,
          notStarted: true,
        }),
        false,
      )
      return
    }
    this.queue.push(op)
    this.pump()
    this.flush()
  }

  /** Removes an operation that has not started (an aborted send). */
  withdraw(op: Operation): boolean {
    return this.queue.remove(op)
  }

  /**
   * Whether a transaction must begin with RSET: a refused one may have left MAIL state open, and
   * after a pipelined BDAT transaction whose replies are still due the state is unknown.
   */
  takeReset(self: Operation): boolean {
    const previous = this.previous
    const reset = this.dirty || (previous !== undefined && previous !== self && previous.openBdat)
    this.dirty = false
    return reset
  }

  /** Starts queued operations while the connection allows. */
  pump(): void {
    while (this.state === 'ready' && this.queue.length > 0) {
      while (this.active.length > 0 && this.active[0]!.done) this.active.shift()
      // Operations start in order and each was committed before the next started, so the most
      // recent one decides whether another may be pipelined behind it.
      const last = this.active[this.active.length - 1]
      if (last !== undefined && !last.done && !(this.pipelining && last.committed)) return
      // Bound the pipeline depth so replies and buffered messages stay bounded.
      if (this.active.length >= MAX_IN_FLIGHT) return
      const op = this.queue.shift()!
      this.previous = last
      this.active.push(op)
      op.start()
    }
  }

  /** Called by the handshake once EHLO, STARTTLS and AUTH are done. */
  ready(): void {
    this.state = 'ready'
    this.host.ready()
    this.pump()
  }

  /** Called by the handshake after the 220 reply to STARTTLS. */
  upgrade(): void {
    this.state = 'tls'
    this.host.log('info', 'Starting TLS')
    this.host.startTls()
  }

  /** The TLS handshake after STARTTLS succeeded: the server is asked again (RFC 3207 4.2). */
  tlsReady(): void {
    if (this.state !== 'tls') return
    this.state = 'handshake'
    this.secure = true
    this.capabilities = emptyCapabilities()
    this.parser.reset()
    this.handshake.ehlo()
    this.flush()
  }

  /** The TLS handshake after STARTTLS failed. */
  tlsFailed(cause: unknown): void {
    this.fatal(
      new SmtpError(`TLS handshake after STARTTLS failed: ${(cause as Error)?.message ?? cause}`, {
        stage: 'tls',
        cause,
      }),
    )
  }

  /** Marks the handshake as past the greeting. */
  greeted(): void {
    if (this.state === 'greeting') this.state = 'handshake'
  }

  /** The socket closed or errored. */
  connectionLost(cause?: unknown): void {
    if (this.state === 'closed') return
    const head = this.expectations.peek()
    if (head === undefined && this.state === 'ready') {
      this.state = 'closed'
      this.host.log('info', 'Connection closed by the server')
      this.host.close(false)
      return
    }
    const what =
      head === undefined ? '' : ` while waiting for the reply to ${head.label ?? head.command}`
    const reason = cause instanceof Error ? `: ${cause.message}` : ''
    this.fatal(this.error(`Connection lost${what}${reason}`, cause), true)
  }

  /** The host's timer for the awaited reply fired. */
  timedOut(ms: number): void {
    if (this.state === 'closed') return
    const head = this.expectations.peek()
    let message = `Timed out after ${ms} ms waiting for the reply to ${head?.label ?? head?.command ?? 'the server'}`
    if (head?.stage === 'greeting' && !this.secure) {
      message += `; if the server expects TLS from the first byte (port 465), use security: 'implicit'`
    }
    this.fatal(this.error(message), true)
  }

  /** Closes after a QUIT reply. */
  closed(): void {
    if (this.state === 'closed') return
    this.state = 'closed'
    this.host.close(true)
    this.failAll(
      new SmtpError('The connection is closed', { stage: 'quit', transient: true }),
      false,
    )
  }

  /** Ends the session with an error: every pending and queued operation fails with it. */
  fatal(error: SmtpError, lost = false, quit = false): void {
    if (this.state === 'closed') return
    this.host.log('info', error.message)
    if (quit) {
      this.out.push('QUIT\r\n')
      this.pushed++
      this.host.log('client', 'QUIT')
    }
    const out = this.out
    this.out = []
    if (out.length > 0) this.host.write(out)
    this.state = 'closed'
    this.expectations.drain()
    this.host.awaiting(undefined)
    this.host.close(!lost)
    this.failAll(error, lost)
    this.host.failed(error)
  }

  private failAll(error: SmtpError, lost: boolean): void {
    const active = this.active
    const queued = this.queue.drain()
    this.active = []
    for (const op of active) if (!op.done) op.fail(error, lost)
    // Operations that never started wrote nothing: their callers may try them elsewhere.
    if (queued.length > 0) {
      const unstarted = notStartedError(error)
      for (const op of queued) if (!op.done) op.fail(unstarted, lost)
    }
  }

  /** An error at the step now awaited. */
  error(message: string, cause?: unknown): SmtpError {
    const head = this.expectations.peek()
    return new SmtpError(message, {
      stage: head?.stage ?? this.idleStage(),
      command: head?.command,
      transient: true,
      cause,
    })
  }

  private idleStage(): SmtpStage {
    return this.state === 'greeting' ? 'greeting' : this.state === 'ready' ? 'mail' : 'ehlo'
  }

  /** An error carrying a server reply. */
  replyError(message: string, reply: Reply, at?: Expectation): SmtpError {
    return replyError(message, reply, at?.stage ?? this.idleStage(), at?.command)
  }
}

/** An {@link SmtpError} for a failed reply. */
export function replyError(
  message: string,
  reply: Reply,
  stage: SmtpStage,
  command?: string,
): SmtpError {
  return new SmtpError(`${message}: ${reply.raw}`, {
    stage,
    code: reply.code,
    enhancedCode: reply.enhancedCode,
    command,
    response: reply.raw,
  })
}
