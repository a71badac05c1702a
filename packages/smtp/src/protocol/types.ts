import type { Credentials } from '../auth/index.js'
import type { SmtpError, SmtpStage } from '../errors.js'
import type { Reply } from './reply-parser.js'

/**
 * How the connection is secured (one choice, never a set of booleans).
 * - `'implicit'`: TLS from the first byte (port 465).
 * - `'starttls'`: STARTTLS required; without it the session ends before AUTH or MAIL.
 * - `'starttls-opportunistic'`: STARTTLS when offered, else plaintext.
 * - `'none'`: plaintext only.
 */
export type Security = 'implicit' | 'starttls' | 'starttls-opportunistic' | 'none'

/** Which timeout applies while a reply is awaited (RFC 5321 4.5.3.2). */
export type TimeoutKind = 'greeting' | 'command' | 'dataInit' | 'data'

/** What leaves in one write: command text, bytes, or a lazily produced body. */
export type WireChunk = string | Uint8Array | Iterable<Uint8Array>

/** Who a log line is from. */
export type LogDirection = 'client' | 'server' | 'info'

/** A reply the session waits for, in the order the commands were written. */
export interface Expectation {
  readonly stage: SmtpStage
  /** The command verb, for errors: 'MAIL FROM', 'RCPT TO', 'DATA', 'BDAT'... */
  readonly command: string
  /** What the reply answers, for messages, when more telling than the verb. */
  readonly label?: string
  readonly timeout: TimeoutKind
  handle(reply: Reply): void
}

/** The I/O side the pure session drives: the client over a real socket, or a test recorder. */
export interface SessionHost {
  /** Writes the chunks, in order, as one write when the socket allows. */
  write(chunks: WireChunk[]): void
  /**
   * How many of the chunks given to `write`, counted from the first, have been handed to the
   * socket whole; undefined where the host cannot tell (every chunk then counts as handed).
   */
  readonly handed?: number
  /**
   * Resolves once at most `octets` of what was given to `write` wait for the socket, or the
   * connection has ended. Absent: there is always room (a host that writes at once).
   */
  room?(octets: number): Promise<void>
  /** Upgrades the socket to TLS, then calls `session.tlsReady()` or `session.tlsFailed()`. */
  startTls(): void
  /** Closes the socket: `graceful` lets queued writes (QUIT) go out first. */
  close(graceful: boolean): void
  /** The reply now awaited first (to arm its timer), or undefined when idle. */
  awaiting(expectation: Expectation | undefined): void
  /** Whether `log` is wanted: when false the session skips building log lines. */
  readonly logging: boolean
  log(direction: LogDirection, line: string): void
  /** The handshake finished: the session can take transactions. */
  ready(): void
  /** The session ended with an error before or after `ready`. */
  failed(error: SmtpError): void
}

/** Everything the session needs to know about its peer and policy. */
export interface SessionConfig {
  host: string
  port: number
  name: string
  lmtp: boolean
  /** Decided once connected: the default depends on the connected address (see `loopback`). */
  security: Security
  /** The connected socket's remote address is a loopback address: plaintext AUTH is fine there. */
  loopback: boolean
  auth?: Credentials | undefined
  allowInsecureAuth: boolean
  preferData: boolean
  /** Largest slice of message bytes encoded and written at once. */
  chunkSize: number
}

/**
 * How a connection ended for the operations it still carried: `'lost'` when it broke or was
 * dropped without an answer to what was sent (a message whose end reached the socket may then
 * have been delivered), `'closed'` when the server's answers are known (a 421, a refusal, QUIT).
 */
export type Ending = 'lost' | 'closed'

/** Work queued on the session: a transaction, RSET, NOOP or QUIT. */
export interface Operation {
  /** It will write nothing more: later operations may be pipelined behind it (RFC 2920 3.1). */
  readonly committed: boolean
  /** Every reply it awaited has come, and its caller has its answer. */
  readonly done: boolean
  /** Whether this is a BDAT transaction still awaiting replies. */
  readonly openBdat: boolean
  /** Writes its commands; `previous` is the operation started just before, if any. */
  start(previous: Operation | undefined): void
  /** The connection ended before the operation finished. */
  interrupted(error: SmtpError, ending: Ending): void
}
