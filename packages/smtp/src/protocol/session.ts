import { notStartedError, replyError, SmtpError, type SmtpHint, type SmtpStage } from '../errors.js'
import { tlsError } from '../tls-failure.js'
import { type Capabilities, emptyCapabilities, has } from './capabilities.js'
import { command } from './commands.js'
import type { HandshakeSession, OperationSession } from './conversation.js'
import { Fifo } from './fifo.js'
import { Handshake } from './handshake.js'
import { Outbox } from './outbox.js'
import { type Reply, ReplyParser } from './reply-parser.js'
import { Scheduler } from './scheduler.js'
import type {
  Ending,
  Expectation,
  LogDirection,
  Operation,
  SessionConfig,
  SessionHost,
  WireChunk,
} from './types.js'

type State = 'greeting' | 'handshake' | 'tls' | 'ready' | 'closed'

/** How the session ends: QUIT first, a graceful close, or the socket destroyed at once. */
type Close = 'quit' | 'graceful' | 'destroy'

// A TLS record starts with its content type; 22 is a handshake (RFC 8446 5.1).
const TLS_HANDSHAKE_RECORD = 0x16

/**
 * The SMTP client protocol as a pure state machine (sans I/O): bytes from the server go in
 * through {@link receive}; commands come out through `host.write`, batched so that everything
 * produced while handling one packet leaves in one write (RFC 2920 pipelining). The session is
 * the only writer of its state: the handshake and the operations ask it through named methods.
 *
 * @example
 * const s = new Session(config, host)
 * s.receive(bytes('220 mx ESMTP\r\n')) // host.write(['EHLO client.example\r\n'])
 */
export class Session implements HandshakeSession, OperationSession {
  private caps: Capabilities = emptyCapabilities()
  /** PIPELINING is among the capabilities (read on every start of an operation). */
  private pipelined = false
  private tls: boolean
  private auth = false
  private state: State = 'greeting'
  private readonly parser = new ReplyParser()
  private readonly expectations = new Fifo<Expectation>()
  private readonly outbox = new Outbox()
  private readonly scheduler = new Scheduler()
  private readonly handshake: Handshake
  private seenBytes = false
  /** A refused transaction may have left MAIL state open on the server: RSET first. */
  private dirty = false

  constructor(
    readonly config: SessionConfig,
    private readonly host: SessionHost,
  ) {
    this.tls = config.security === 'implicit'
    this.handshake = new Handshake(this)
    this.handshake.start()
  }

  /** What EHLO advertised; empty before EHLO, after HELO and right after STARTTLS. */
  get capabilities(): Capabilities {
    return this.caps
  }

  get secure(): boolean {
    return this.tls
  }

  /** AUTH succeeded. */
  get authenticated(): boolean {
    return this.auth
  }

  /** The session can take another transaction. */
  get usable(): boolean {
    return this.state === 'ready'
  }

  get pipelining(): boolean {
    return this.pipelined
  }

  get logging(): boolean {
    return this.host.logging
  }

  log(direction: LogDirection, line: string): void {
    this.host.log(direction, line)
  }

  // --- Bytes and events from the host ---

  /** Feeds bytes read from the socket. */
  receive(bytes: Uint8Array): void {
    if (this.state === 'closed' || this.state === 'tls') return
    if (!this.seenBytes && bytes.length > 0) {
      this.seenBytes = true
      if (!this.tls && bytes[0] === TLS_HANDSHAKE_RECORD) {
        this.end(
          new SmtpError(
            "Received TLS data on a plaintext connection: this port expects TLS from the start; use security: 'implicit' (usually port 465)",
            { stage: 'greeting', hint: 'use-implicit-tls' },
          ),
          'graceful',
        )
        return
      }
    }
    let replies: Reply[]
    try {
      replies = this.parser.push(bytes)
    } catch (e) {
      // What the server meant is unknown: a message whose end was sent may have been delivered.
      this.end(this.error(`Invalid reply from the server: ${(e as Error).message}`), 'destroy')
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
      const error = replyError(
        'The server is closing the connection',
        reply,
        head?.stage ?? this.idleStage(),
        head?.command,
      )
      this.end(error, 'graceful')
      return
    }
    if (head === undefined) {
      this.end(this.error(`Unexpected reply from the server: ${reply.raw}`), 'destroy')
      return
    }
    head.handle(reply)
  }

  /** The TLS handshake after STARTTLS succeeded: the server is asked again (RFC 3207 4.2). */
  tlsReady(): void {
    if (this.state !== 'tls') return
    this.state = 'handshake'
    this.tls = true
    this.negotiated(emptyCapabilities())
    this.parser.reset()
    this.handshake.ehlo()
    this.flush()
  }

  /** The TLS handshake after STARTTLS failed. */
  tlsFailed(cause: unknown): void {
    this.end(tlsError('TLS handshake after STARTTLS failed', cause), 'graceful')
  }

  /** The socket closed or errored. */
  connectionLost(cause?: unknown): void {
    if (this.state === 'closed') return
    const head = this.expectations.peek()
    if (head === undefined && this.state === 'ready' && !this.scheduler.busy) {
      this.state = 'closed'
      this.host.log('info', 'Connection closed by the server')
      this.host.close(false)
      return
    }
    const what =
      head === undefined ? '' : ` while waiting for the reply to ${head.label ?? head.command}`
    const reason = cause instanceof Error ? `: ${cause.message}` : ''
    this.end(this.error(`Connection lost${what}${reason}`, { cause }), 'destroy')
  }

  /** The host's timer for the awaited reply fired. */
  timedOut(ms: number): void {
    if (this.state === 'closed') return
    const head = this.expectations.peek()
    let message = `Timed out after ${ms} ms waiting for the reply to ${head?.label ?? head?.command ?? 'the server'}`
    let hint: SmtpHint | undefined
    if (head?.stage === 'greeting' && !this.tls) {
      message +=
        this.config.port === 465
          ? "; port 465 expects TLS from the first byte: use security: 'implicit'"
          : "; if the server expects TLS from the first byte (port 465), use security: 'implicit'"
      hint = 'use-implicit-tls'
    }
    this.end(this.error(message, { hint }), 'destroy')
  }

  /** The socket took nothing for `ms` while written data waited (RFC 5321 4.5.3.2.5). */
  writeTimedOut(ms: number): void {
    if (this.state === 'closed') return
    this.end(
      this.error(`Timed out after ${ms} ms waiting for the server to take more data`),
      'destroy',
    )
  }

  // --- Requests of the handshake ---

  greeted(): void {
    if (this.state === 'greeting') this.state = 'handshake'
  }

  negotiated(capabilities: Capabilities): void {
    this.caps = capabilities
    this.pipelined = has(capabilities, 'PIPELINING')
  }

  startTls(): void {
    this.state = 'tls'
    this.host.log('info', 'Starting TLS')
    this.host.startTls()
  }

  authenticatedWith(mechanism: string): void {
    this.auth = true
    this.host.log('info', `Authenticated with ${mechanism}`)
  }

  ready(): void {
    this.state = 'ready'
    this.host.ready()
    this.progressed()
  }

  refuse(error: SmtpError): void {
    this.end(error, 'quit')
  }

  waitFor<T>(
    expectation: Expectation,
    work: Promise<T>,
    then: (result: PromiseSettledResult<T>) => void,
  ): void {
    this.expectations.push(expectation)
    const settle = (result: PromiseSettledResult<T>) => {
      // Ended meanwhile (lost, timed out, aborted), or a stray reply took the expectation.
      if (this.state === 'closed' || this.expectations.peek() !== expectation) return
      this.expectations.shift()
      then(result)
      this.flush()
    }
    work.then(
      (value) => settle({ status: 'fulfilled', value }),
      (reason: unknown) => settle({ status: 'rejected', reason }),
    )
  }

  // --- Writing and awaiting ---

  send(line: string, expectation: Expectation, logAs?: string): void {
    this.outbox.push(line)
    this.expectations.push(expectation)
    if (this.host.logging) this.host.log('client', logAs ?? line.slice(0, -2))
  }

  sendRaw(chunk: WireChunk): void {
    this.outbox.push(chunk)
  }

  expect(expectation: Expectation): void {
    this.expectations.push(expectation)
  }

  expectNext(expectation: Expectation): void {
    this.expectations.unshift(expectation)
  }

  get queued(): number {
    return this.outbox.position
  }

  handedUpTo(position: number): boolean {
    return (this.host.handed ?? Number.POSITIVE_INFINITY) >= position
  }

  room(octets: number): Promise<void> {
    if (this.state === 'closed' || this.host.room === undefined) return Promise.resolve()
    return this.host.room(octets)
  }

  /** Writes what was queued, in one write, and tells the host what it now waits for. */
  flush(): void {
    if (this.state === 'closed') return
    const out = this.outbox.take()
    if (out !== undefined) this.host.write(out)
    this.host.awaiting(this.expectations.peek())
  }

  // --- Operations ---

  /** Queues an operation; it starts when the connection is free or can pipeline it. */
  enqueue(op: Operation): void {
    if (this.state !== 'ready') {
      op.interrupted(
        new SmtpError('The connection is closed', {
          stage: 'connect',
          transient: true,
          notStarted: true,
        }),
        'closed',
      )
      return
    }
    this.scheduler.add(op)
    this.progressed()
    this.flush()
  }

  /** Removes an operation that has not started (an aborted send); false when it has. */
  withdraw(op: Operation): boolean {
    return this.scheduler.withdraw(op)
  }

  takeReset(): boolean {
    const reset = this.dirty
    this.dirty = false
    return reset
  }

  leftOpen(): void {
    this.dirty = true
  }

  resetSent(): void {
    this.dirty = false
  }

  progressed(): void {
    if (this.state === 'ready') this.scheduler.pump(this.pipelined)
  }

  finished(): void {
    if (this.state === 'closed') return
    this.state = 'closed'
    this.host.close(true)
    this.interruptAll(
      new SmtpError('The connection is closed', { stage: 'quit', transient: true }),
      'closed',
    )
  }

  /** Ends the session at once (a loss, a timeout, an abort, `close()`): the socket is destroyed. */
  lost(error: SmtpError): void {
    this.end(error, 'destroy')
  }

  // --- Ending ---

  /** Ends the session with an error: every pending and queued operation fails with it. */
  private end(error: SmtpError, close: Close): void {
    if (this.state === 'closed') return
    this.host.log('info', error.message)
    if (close === 'quit') {
      this.outbox.push(command.quit())
      this.host.log('client', 'QUIT')
    }
    const out = this.outbox.take()
    if (out !== undefined && close !== 'destroy') this.host.write(out)
    this.state = 'closed'
    this.expectations.drain()
    this.host.awaiting(undefined)
    this.host.close(close !== 'destroy')
    this.interruptAll(error, close === 'destroy' ? 'lost' : 'closed')
    this.host.failed(error)
  }

  private interruptAll(error: SmtpError, ending: Ending): void {
    const { started, waiting } = this.scheduler.drain()
    for (const op of started) if (!op.done) op.interrupted(error, ending)
    // Operations that never started wrote nothing: their callers may try them elsewhere.
    if (waiting.length === 0) return
    const unstarted = notStartedError(error)
    for (const op of waiting) if (!op.done) op.interrupted(unstarted, ending)
  }

  /** A transient error at the step now awaited. */
  private error(
    message: string,
    more: { cause?: unknown; hint?: SmtpHint | undefined } = {},
  ): SmtpError {
    const head = this.expectations.peek()
    return new SmtpError(message, {
      stage: head?.stage ?? this.idleStage(),
      command: head?.command,
      transient: true,
      ...more,
    })
  }

  private idleStage(): SmtpStage {
    return this.state === 'greeting' ? 'greeting' : this.state === 'ready' ? 'mail' : 'ehlo'
  }
}
