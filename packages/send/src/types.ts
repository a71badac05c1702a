import type { BuildOptions, MessageInput } from '@mail/mime'
import type { DkimOptions } from '@mail/mime/dkim'
import type {
  Capabilities,
  Envelope,
  RecipientRejection,
  SendProgress,
  SmtpConnectOptions,
} from '@mail/smtp'

/**
 * What `sendmail` and `transport.send` accept: a `@mail/mime` message plus an optional explicit
 * envelope (`@mail/smtp`'s {@link Envelope}: bare addresses, and DSN requests passed to the
 * server) that replaces the one derived from From/Sender/To/Cc/Bcc.
 *
 * @example
 * const message: SendMessage = {
 *   from: 'Shop <shop@example.com>',
 *   to: 'alice@example.org',
 *   subject: 'Your order',
 *   text: 'Shipped today.',
 *   envelope: { from: 'bounces@example.com', to: ['alice@example.org'] },
 * }
 */
export type SendMessage = MessageInput & { envelope?: Envelope }

/**
 * Pool settings of a transport. Without `pool`, a transport keeps one connection open between
 * messages; with it, up to `maxConnections` connections share the queue.
 *
 * @example
 * const pool: PoolOptions = { maxConnections: 4, rateLimit: { messages: 100, perMs: 60_000 } }
 */
export interface PoolOptions {
  /** Connections open at once. Default 5 (1 without `pool`). */
  maxConnections?: number
  /** Messages sent over one connection before it is closed and replaced. Default 100 (unlimited without `pool`). */
  maxMessagesPerConnection?: number
  /** At most `messages` transmissions start in any window of `perMs` milliseconds (retries count). */
  rateLimit?: { messages: number; perMs: number }
  /** An idle connection is closed after this many milliseconds. Default 30,000. */
  idleTimeoutMs?: number
  /**
   * Messages handed to one connection before their replies arrive; the SMTP client pipelines
   * them when the server offers PIPELINING. Default 32.
   */
  maxInFlightPerConnection?: number
  /**
   * After a 421 reply or a 4.7.x status ("slow down"), the pool opens one connection fewer for
   * this many milliseconds, then one more again after each such period. Default 60,000.
   */
  slowDownMs?: number
}

/**
 * Retries of transient failures (a 4xx reply, or a connection lost before the end of the data
 * was sent) on a fresh attempt with exponential backoff. Permanent (5xx) failures and failures
 * whose delivery is unknown are never retried. A message only queued behind another on a
 * connection that failed has not had an attempt. Opening connections backs off the same way:
 * after `attempts` rounds of failed openings with no connection alive (or one permanent refusal,
 * such as bad credentials), the waiting messages fail with the opening's error.
 *
 * @example
 * const retry: RetryOptions = { attempts: 5, backoffMs: 2_000 }
 */
export interface RetryOptions {
  /** Total attempts per message, the first included. Default 3; 1 disables retries. */
  attempts?: number
  /** Delay before the first retry; doubled for each further one (capped at 60 s). Default 1,000. */
  backoffMs?: number
}

/**
 * Options of an SMTP transport: the `@mail/smtp` connect options plus pooling, retries, DKIM
 * and the message builder's options. `url` may be combined with explicit fields, which win.
 *
 * @example
 * const options: SmtpTransportOptions = {
 *   url: 'smtp://user:p%40ss@mail.example.com:587',
 *   tls: { ca: myCaPem },
 *   pool: { maxConnections: 4 },
 *   dkim: { domain: 'example.com', selector: 's1', privateKey: pem },
 * }
 */
export interface SmtpTransportOptions extends Omit<SmtpConnectOptions, 'host' | 'signal'> {
  /** Server host name or IP; required unless `url` gives it. */
  host?: string
  /** An `smtp://` or `smtps://` URL; explicit fields of this object override its parts. */
  url?: string
  /** Keep several connections and share them; `true` means the defaults of {@link PoolOptions}. */
  pool?: boolean | PoolOptions
  retry?: RetryOptions
  /** Sign every message with one or several DKIM signatures (RFC 6376). */
  dkim?: DkimOptions | DkimOptions[]
  /** Options for `@mail/mime` (e.g. `smtputf8: true` to allow UTF-8 addresses). */
  build?: BuildOptions
}

/** Alias of {@link SmtpTransportOptions}, the name used by API.md. */
export type SmtpOptions = SmtpTransportOptions

/**
 * How to reach the server: a URL such as `'smtps://user:pass@mail.example.com'`, or options.
 *
 * @example
 * const input: TransportInput = 'smtp://127.0.0.1:2525?security=none'
 */
export type TransportInput = string | SmtpTransportOptions

/**
 * Per-call options of `sendmail` and `transport.send`.
 *
 * @example
 * await transport.send(message, {
 *   signal: AbortSignal.timeout(10 * 60_000),
 *   onProgress: ({ sent, total }) => console.log(`${sent} of ${total ?? '?'} octets`),
 * })
 */
export interface SendOptions {
  /** Abort: a queued message is dropped; one being transmitted closes its connection. */
  signal?: AbortSignal
  /**
   * Awaited by the SMTP client just before the end of the data is written, on every attempt:
   * the last moment before the message may be delivered. Passed to `SmtpClient.send` as it is.
   */
  beforeEnd?: () => Promise<void>
  /**
   * Hears how much of the message the socket has taken: `sent` message octets, rising, of
   * `total` (the message's size when known; always on the last report, which has
   * `sent === total`). A retry reports from 0 again. Passed to `SmtpClient.send` as it is.
   */
  onProgress?: (progress: SendProgress) => void
}

/**
 * The result of one delivered message. Recipients the server refused while accepting others are
 * in `rejected`: partial success is a result, not an exception.
 *
 * @example
 * const info: SendInfo = await sendmail(message)
 * if (info.rejected.length > 0) console.warn('not delivered to', info.rejected)
 */
export interface SendInfo {
  /** The Message-ID, with angle brackets, e.g. `'<abc@example.com>'`. */
  messageId: string
  /** The addresses the message was sent from and to (the envelope's `from` and `to`). */
  envelope: Envelope
  accepted: string[]
  rejected: RecipientRejection[]
  /** The server's final reply to the message data, e.g. `'250 2.0.0 Ok: queued as 1234'`. */
  response: string
}

/**
 * The result of `sendRaw`: as {@link SendInfo}, with `messageId` only when the message's header
 * section has a Message-ID field.
 *
 * @example
 * const info: RawSendInfo = await transport.sendRaw({ from: 'a@example.com', to: ['b@example.org'] }, eml)
 */
export interface RawSendInfo extends Omit<SendInfo, 'messageId'> {
  messageId?: string
}

/**
 * One result of `sendMany`, in the order the messages were given.
 *
 * @example
 * for await (const r of transport.sendMany(messages)) {
 *   if ('error' in r) console.error(r.index, r.error.message)
 * }
 */
export type SendManyResult = { index: number; info: SendInfo } | { index: number; error: Error }

/**
 * Options of `sendMany`.
 *
 * @example
 * transport.sendMany(generateMessages(), { window: 64 })
 */
export interface SendManyOptions {
  /** Abort: no further message is taken from the iterable; those under way abort as with `send`. */
  signal?: AbortSignal
  /** Messages taken from the iterable before their results are yielded. Default: the transport's capacity. */
  window?: number
}

/**
 * What `verify()` found: the server is reachable and, when credentials were given, accepted them.
 *
 * @example
 * const { capabilities } = await transport.verify()
 */
export interface VerifyInfo {
  capabilities: Capabilities
  secure: boolean
  authenticated: boolean
}

/** Anything `sendMany` accepts. */
export type MessageSource = Iterable<SendMessage> | AsyncIterable<SendMessage>

/**
 * A transport keeps connections open between messages (see `createTransport`).
 *
 * @example
 * await using transport = createTransport('smtps://user:pass@mail.example.com')
 * await transport.send({ from: 'a@example.com', to: 'b@example.org', text: 'Hi' })
 */
export interface Transport {
  send(message: SendMessage, options?: SendOptions): Promise<SendInfo>
  /**
   * Sends a ready message (a `.eml`: headers and body, as bytes or a string) to `envelope`
   * through the same connections, retries and results as `send`. The bytes are sent as they
   * are: line ends become CRLF and leading dots are doubled on the wire, nothing else changes
   * (Bcc fields included: remove them first). With `dkim`, the message is signed first; bytes
   * must then be UTF-8.
   */
  sendRaw(envelope: Envelope, raw: string | Uint8Array, options?: SendOptions): Promise<RawSendInfo>
  sendMany(messages: MessageSource, options?: SendManyOptions): AsyncGenerator<SendManyResult>
  verify(options?: SendOptions): Promise<VerifyInfo>
  /** Lets queued messages finish, then closes every connection with QUIT. New sends are refused. */
  close(): Promise<void>
  [Symbol.asyncDispose](): Promise<void>
}
