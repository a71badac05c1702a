import type { SmtpError } from '../errors.js'
import type { Capabilities } from './capabilities.js'
import type { Expectation, LogDirection, SessionConfig, WireChunk } from './types.js'

// What the handshake and the operations may ask of the session. Only the session writes its
// state; these named requests are the only way in (and keep the steps free of any import of
// the session itself).

/** What every step may do: write commands, await replies, log. */
export interface Conversation {
  readonly config: SessionConfig
  readonly capabilities: Capabilities
  /** TLS is in use (implicit, or after STARTTLS). */
  readonly secure: boolean
  readonly logging: boolean
  log(direction: LogDirection, line: string): void
  /** Queues a command line with the reply it expects; `logAs` replaces a secret in the log. */
  send(line: string, expectation: Expectation, logAs?: string): void
  /** Registers an awaited reply without writing (its command went out with other bytes). */
  expect(expectation: Expectation): void
}

/** What the greeting, EHLO, STARTTLS and AUTH steps ask of the session. */
export interface HandshakeSession extends Conversation {
  /** The greeting arrived. */
  greeted(): void
  /** EHLO (or HELO) succeeded with these capabilities. */
  negotiated(capabilities: Capabilities): void
  /** The server agreed to STARTTLS: upgrade the socket, then say EHLO again. */
  startTls(): void
  /** AUTH succeeded with this mechanism. */
  authenticatedWith(mechanism: string): void
  /** The handshake is over: transactions may start. */
  ready(): void
  /** The session cannot go on (a refusal, a policy the server does not meet): QUIT and close. */
  refuse(error: SmtpError): void
  /**
   * Waits for work of the client's own (a token provider's answer) as for a reply: under
   * `expectation`'s timeout, which also meets any reply the server sends meanwhile. `then` runs
   * only while the session still waits for it, and what it queues is written.
   */
  waitFor<T>(
    expectation: Expectation,
    work: Promise<T>,
    then: (result: PromiseSettledResult<T>) => void,
  ): void
}

/** What a transaction or a control command (RSET, NOOP, QUIT) asks of the session. */
export interface OperationSession extends Conversation {
  /** The server offers PIPELINING (RFC 2920). */
  readonly pipelining: boolean
  /** Queues bytes that expect no reply of their own (message content). */
  sendRaw(chunk: WireChunk): void
  /** Registers an awaited reply ahead of every other (LMTP's further replies to one end). */
  expectNext(expectation: Expectation): void
  /** How many chunks have been queued so far: the position just after the last one. */
  readonly queued: number
  /** Whether the chunks queued up to `position` (see {@link queued}) reached the socket. */
  handedUpTo(position: number): boolean
  /**
   * Resolves once at most `octets` of what was written wait for the socket (at once when the
   * connection has ended): a streamed message is read only as fast as the socket drains.
   */
  room(octets: number): Promise<void>
  /** Whether the server may hold an open transaction, so the next one must begin with RSET. */
  takeReset(): boolean
  /** A refused transaction may have left the server in MAIL state (RFC 5321 4.1.1.5). */
  leftOpen(): void
  /** RSET was sent: the server holds no transaction. */
  resetSent(): void
  /** An operation committed or finished: start what may follow. */
  progressed(): void
  /** Writes what was queued outside the handling of a reply (after an awaited callback). */
  flush(): void
  /** QUIT was answered: close. */
  finished(): void
  /** The connection must end now, without QUIT (a message abandoned in the middle of DATA). */
  lost(error: SmtpError): void
}
