import type { MessageInput, SmtpTransportOptions } from '@mail/send'
import type { RedisOptions } from 'ioredis'

/**
 * Where Redis is: a URL (`redis://[user:pass@]host:port[/db]`, `rediss://` for TLS,
 * `redis+unix:///path/to/redis.sock` or `unix:///path/to/redis.sock` for a unix socket), or
 * ioredis options (e.g. `{ host, port }` or `{ path }`).
 *
 * @example
 * const connection: RedisConnection = 'redis://127.0.0.1:6379'
 */
export type RedisConnection = string | RedisOptions

/**
 * Options of {@link createQueue}.
 *
 * @example
 * const queue = createQueue({ connection: 'redis://127.0.0.1:6379', name: 'newsletter' })
 */
export interface QueueOptions {
  connection: RedisConnection
  /** The queue's name: queues and workers of the same name share their jobs and limits. Default 'mail'. */
  name?: string
  /** Prefix of every Redis key (BullMQ's and this package's). Default 'bull', as BullMQ's. */
  prefix?: string
}

/**
 * Options of `queue.enqueue`.
 *
 * @example
 * await queue.enqueue(message, { idempotencyKey: `reset-${userId}-${day}`, delayMs: 60_000 })
 */
export interface EnqueueOptions {
  /**
   * Enqueueing with a key used before returns the first job's id and stores nothing new (the
   * message of the later call is validated, then dropped).
   */
  idempotencyKey?: string
  /** Milliseconds to wait before the message may be sent (a whole number >= 0). */
  delayMs?: number
  /** BullMQ priority: 1 is the highest, up to 2,097,152; jobs without one come first. */
  priority?: number
}

/** What `queue.enqueue` resolves with. */
export interface EnqueueResult {
  /** The job id, for `queue.status(id)`. */
  id: string
}

/**
 * Where a message is, for `queue.status`:
 * - `'waiting'`: queued (with or without a priority), not taken by a worker yet.
 * - `'delayed'`: waiting for its `delayMs`, or for a retry's backoff.
 * - `'active'`: a worker is sending it.
 * - `'sent'`: every recipient accepted.
 * - `'partial'`: some recipients accepted, the others rejected.
 * - `'failed'`: no recipient accepted.
 * - `'unknown'`: the outcome of some recipient cannot be known (the connection failed after
 *   the end of the data, or a worker died in that moment); such recipients are never resent.
 */
export type MessageState =
  | 'waiting'
  | 'delayed'
  | 'active'
  | 'sent'
  | 'partial'
  | 'failed'
  | 'unknown'

/**
 * One recipient of a message:
 * - `'pending'`: not settled yet (`code` and `response` then tell the last transient refusal);
 * - `'accepted'`: the server took the message for it (never sent to it again);
 * - `'rejected'`: refused for good (5xx), or still refused (4xx) when the retries ran out;
 * - `'unknown'`: the message may or may not have reached it; it is not resent.
 */
export interface RecipientStatus {
  /** The envelope address, as sent in RCPT TO. */
  address: string
  status: 'pending' | 'accepted' | 'rejected' | 'unknown'
  /** The reply code that settled it (or the last transient one while pending). */
  code?: number
  /** RFC 3463 enhanced status code of that reply, e.g. '5.1.1'. */
  enhancedCode?: string
  /** The server's reply (or the error's message when there was none). */
  response?: string
}

/**
 * What `queue.status(id)` resolves with.
 *
 * @example
 * const s = await queue.status(id)
 * if (s?.state === 'partial') console.log(s.recipients.filter((r) => r.status === 'rejected'))
 */
export interface MessageStatus {
  state: MessageState
  /** SMTP transactions started for the message so far (0 while waiting). */
  attempts: number
  /** Every envelope recipient, Bcc included, in envelope order. */
  recipients: RecipientStatus[]
  /** The Message-ID fixed at enqueue, with angle brackets: every attempt carries it. */
  messageId?: string
  /** The last error that refused the whole transaction, or why the job failed. */
  error?: string
}

/**
 * Jobs of a queue by BullMQ state, for a progress display (`queue.counts()`).
 * `completed` counts messages whose recipients are all settled, whatever their outcome.
 */
export interface QueueCounts {
  waiting: number
  delayed: number
  active: number
  completed: number
  failed: number
}

/**
 * A queue of messages in Redis (see {@link createQueue}).
 *
 * @example
 * const { id } = await queue.enqueue({ from: 'a@example.com', to: 'b@example.org', text: 'Hi' })
 * await queue.drained({ timeoutMs: 60_000 })
 * console.log(await queue.status(id))
 */
export interface MailQueue {
  /**
   * Validates and builds the message (a `MimeError` before anything is stored), reads its Blob
   * and stream attachments, and stores its bytes and envelope (Bcc included) in Redis. The
   * Message-ID and Date are fixed here. Resolves with the job id.
   */
  enqueue(message: MessageInput, options?: EnqueueOptions): Promise<EnqueueResult>
  /** The message's state and per-recipient outcomes; null for an id this queue does not know. */
  status(id: string): Promise<MessageStatus | null>
  /** Jobs by state. */
  counts(): Promise<QueueCounts>
  /**
   * Resolves once nothing is waiting, delayed, prioritized or active; rejects with an Error
   * after `timeoutMs` (without it, waits as long as it takes).
   */
  drained(options?: { timeoutMs?: number }): Promise<void>
  /** Closes the queue's Redis connections. Jobs stay in Redis. */
  close(): Promise<void>
}

/**
 * A limit on SMTP transactions: at most `messages` start in any sliding window of `perMs`
 * milliseconds, counted in Redis for every worker of the queue together, retries included.
 */
export interface RateLimit {
  messages: number
  perMs: number
}

/**
 * Options of {@link createWorker}.
 *
 * @example
 * const worker = createWorker({
 *   connection: 'redis://127.0.0.1:6379',
 *   transport: { url: 'smtp://smtp.example.com:587', pool: { maxConnections: 4 } },
 *   concurrency: 16,
 *   rateLimit: { messages: 200, perMs: 1000 },
 *   domainRateLimit: { messages: 20, perMs: 1000 },
 * })
 */
export interface WorkerOptions {
  connection: RedisConnection
  /** The queue's name. Default 'mail'. */
  name?: string
  /** Prefix of every Redis key, as the queue's. Default 'bull'. */
  prefix?: string
  /**
   * The SMTP server, as `createTransport` takes it. The transport is pooled (`pool: true`
   * unless given). Its `retry` option (attempts, backoffMs) sets how often and how late the
   * worker tries a message again after a transient failure; every attempt goes through the
   * rate limits.
   */
  transport: string | SmtpTransportOptions
  /** Messages this worker sends at once. Default 8. */
  concurrency?: number
  /** Transactions of every worker of the queue together. */
  rateLimit?: RateLimit
  /** Transactions per recipient domain (each domain of the transaction's recipients). */
  domainRateLimit?: RateLimit
  /**
   * Milliseconds added to the window in which the limits count transactions. The limits hold
   * without it as the server sees them: a transaction counts from the moment it had surely
   * reached the server (the end of its data, or its end), measured by Redis's clock. A margin
   * only guards against a server whose clock runs at another pace. Default 0.
   */
  limitMarginMs?: number
  /**
   * How long a 421 or 4.7.x reply halves the allowed rate of the transport (a reply to the
   * whole transaction) or of the recipient's domain (a reply to one RCPT), for every worker.
   * Default 60,000.
   */
  slowDownMs?: number
  /**
   * BullMQ's job lock: a worker that stops renewing it (it died) loses its jobs to another
   * worker after at most about this long plus `stalledIntervalMs`. Default 30,000.
   */
  lockDurationMs?: number
  /** How often BullMQ looks for jobs whose worker died. Default 30,000. */
  stalledIntervalMs?: number
  /** Called once per message whose recipients are all settled, with its final status. */
  onSettled?: (id: string, status: MessageStatus) => void
}

/** A running worker (see {@link createWorker}). */
export interface MailWorker {
  /** Resolves once the worker listens for jobs. */
  ready(): Promise<void>
  /** Finishes the active jobs, stops taking new ones, then closes the transport and Redis. */
  close(): Promise<void>
}
