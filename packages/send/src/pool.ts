import type { Envelope, SendResult } from '@mail/smtp'
import { abortReason, SendError } from './errors.js'
import { JobQueue } from './job-queue.js'
import type { ResolvedPool } from './options.js'
import type { PreparedMessage } from './prepare.js'
import { RateLimiter } from './rate-limit.js'
import { backoffDelay, classifyFailure, shouldRetry } from './retry.js'
import type { SendInfo } from './types.js'

/** The part of an `SmtpClient` the pool uses. */
export interface PoolClient {
  send(envelope: Envelope, raw: string, options?: { signal?: AbortSignal }): Promise<SendResult>
  readonly usable: boolean
  quit(): Promise<void>
  close(): void
}

/** Opens one ready (greeted, secured, authenticated) connection. */
export type Connector = (signal: AbortSignal) => Promise<PoolClient>

export interface PoolConfig extends ResolvedPool {
  retry: { attempts: number; backoffMs: number }
  /** Clock for the rate limit, injectable for tests. */
  now?: () => number
}

type Timer = ReturnType<typeof setTimeout>

interface Job {
  seq: number
  message: PreparedMessage
  attempts: number
  signal: AbortSignal | undefined
  state: 'queued' | 'backoff' | 'sending' | 'done'
  resolve: (info: SendInfo) => void
  reject: (error: unknown) => void
  onAbort: (() => void) | undefined
  timer: Timer | undefined
}

interface Connection {
  client: PoolClient | undefined // undefined while connecting
  inFlight: number
  assigned: number
  retiring: boolean
  idleTimer: Timer | undefined
}

/**
 * Shares up to `maxConnections` SMTP connections among queued messages, in submission order.
 * Each connection takes up to `maxInFlightPerConnection` messages at once (the client pipelines
 * them); transient failures are retried with backoff, and every submitted message ends with
 * exactly one resolution or rejection.
 */
export class Pool {
  private readonly config: PoolConfig
  private readonly connector: Connector
  private readonly limiter: RateLimiter | undefined
  private readonly lifetime = new AbortController()
  private readonly connections = new Set<Connection>()
  private readonly queue = new JobQueue<Job>()
  private active = 0
  private seq = 0
  private rateTimer: Timer | undefined
  private connectFailures = 0
  /** QUITs under way: their connections still count against maxConnections. */
  private readonly quitting = new Set<Promise<void>>()
  private connectGateUntil = 0
  private gateTimer: Timer | undefined
  private closing = false
  private drained: (() => void) | undefined
  private drain: Promise<void> | undefined
  private readonly now: () => number

  constructor(config: PoolConfig, connector: Connector) {
    this.config = config
    this.connector = connector
    this.now = config.now ?? Date.now
    this.limiter = config.rateLimit && new RateLimiter(config.rateLimit, this.now)
  }

  /** Messages the pool can have on the wire at once; a good window for `sendMany`. */
  get capacity(): number {
    return this.config.maxConnections * this.config.maxInFlightPerConnection
  }

  /** Queues a prepared message; settles once it is delivered or has definitively failed. */
  submit(message: PreparedMessage, signal?: AbortSignal): Promise<SendInfo> {
    if (this.closing) {
      return Promise.reject(new SendError('closed', 'The transport is closed'))
    }
    if (signal?.aborted) return Promise.reject(abortReason(signal))
    return new Promise<SendInfo>((resolve, reject) => {
      const job: Job = {
        seq: this.seq++,
        message,
        attempts: 0,
        signal,
        state: 'queued',
        resolve,
        reject,
        onAbort: undefined,
        timer: undefined,
      }
      if (signal) {
        job.onAbort = () => this.aborted(job)
        signal.addEventListener('abort', job.onAbort, { once: true })
      }
      this.active++
      this.queue.add(job)
      this.pump()
    })
  }

  /** Refuses new messages, lets queued ones finish, then ends every connection with QUIT. */
  async close(): Promise<void> {
    this.closing = true
    if (this.active > 0) {
      this.drain ??= new Promise<void>((resolve) => (this.drained = resolve))
      await this.drain
    }
    clearTimeout(this.rateTimer)
    clearTimeout(this.gateTimer)
    this.lifetime.abort()
    for (const conn of this.connections) this.retire(conn)
    await Promise.all(this.quitting)
  }

  private pump(): void {
    for (;;) {
      const job = this.queue.peek()
      if (job === undefined) break
      const conn = this.pick()
      if (conn === undefined) break
      if (this.limiter) {
        const wait = this.limiter.delay()
        if (wait > 0) {
          this.rateTimer ??= setTimeout(() => {
            this.rateTimer = undefined
            this.pump()
          }, wait)
          break
        }
        this.limiter.record()
      }
      this.queue.take()
      this.dispatch(job, conn)
    }
    this.maybeOpen()
  }

  /** The ready connection with the fewest messages in flight that can take one more. */
  private pick(): Connection | undefined {
    let best: Connection | undefined
    for (const conn of this.connections) {
      const client = conn.client
      if (client === undefined || conn.retiring) continue
      if (!client.usable) {
        if (conn.inFlight === 0) this.discard(conn)
        continue
      }
      if (conn.inFlight >= this.config.maxInFlightPerConnection) continue
      if (best === undefined || conn.inFlight < best.inFlight) best = conn
      if (conn.inFlight === 0) break
    }
    return best
  }

  /** Opens connections while messages wait and every ready connection is full. */
  private maybeOpen(): void {
    if (this.queue.size === 0) return
    // Connections still finishing their messages or their QUIT count against the limit.
    let open = this.quitting.size
    let live = 0
    let connecting = 0
    for (const conn of this.connections) {
      open++
      if (conn.retiring) continue
      live++
      if (conn.client === undefined) connecting++
      else if (conn.inFlight === 0 && conn.client.usable) return // idle: only rate-limited
    }
    const perConnection = this.config.maxInFlightPerConnection
    const wanted = Math.min(
      this.config.maxConnections - open,
      Math.ceil(this.queue.size / perConnection) - connecting,
    )
    if (wanted <= 0) return
    const wait = this.connectGateUntil - this.now()
    if (wait > 0 && live > 0) {
      // Recent connection failures while others serve the queue: wait before trying again.
      this.gateTimer ??= setTimeout(() => {
        this.gateTimer = undefined
        this.pump()
      }, wait)
      return
    }
    for (let i = 0; i < wanted; i++) this.open()
  }

  private open(): void {
    const conn: Connection = {
      client: undefined,
      inFlight: 0,
      assigned: 0,
      retiring: false,
      idleTimer: undefined,
    }
    this.connections.add(conn)
    this.connector(this.lifetime.signal).then(
      (client) => {
        conn.client = client
        this.connectFailures = 0
        if (this.lifetime.signal.aborted || conn.retiring) {
          this.connections.delete(conn)
          client.close()
          return
        }
        this.pump()
        this.settledConnection(conn)
      },
      (error: unknown) => {
        this.connections.delete(conn)
        this.connectFailed(error)
        this.pump()
      },
    )
  }

  /**
   * A connection could not be opened. With other connections alive, the queue is still served:
   * only delay further openings. With none, every waiting message has had a failed attempt.
   */
  private connectFailed(error: unknown): void {
    if (this.lifetime.signal.aborted) return
    this.connectFailures++
    this.connectGateUntil =
      this.now() + backoffDelay(this.connectFailures + 1, this.config.retry.backoffMs)
    for (const conn of this.connections) if (!conn.retiring) return
    const kind = classifyFailure(error)
    for (let job = this.queue.peek(); job !== undefined; job = this.queue.peek()) {
      this.queue.take()
      job.attempts++
      this.failed(job, kind === 'delivery-unknown' ? 'transient' : kind, error)
    }
  }

  private dispatch(job: Job, conn: Connection): void {
    job.state = 'sending'
    job.attempts++
    conn.inFlight++
    conn.assigned++
    if (conn.assigned >= this.config.maxMessagesPerConnection) conn.retiring = true
    if (conn.idleTimer !== undefined) {
      clearTimeout(conn.idleTimer)
      conn.idleTimer = undefined
    }
    const { smtpEnvelope, raw } = job.message
    const options = job.signal ? { signal: job.signal } : undefined
    const client = conn.client!
    client.send(smtpEnvelope, raw, options).then(
      (result) => {
        conn.inFlight--
        this.settle(job, () => job.resolve(this.info(job, result)))
        this.settledConnection(conn)
        this.pump()
      },
      (error: unknown) => {
        conn.inFlight--
        if (!client.usable) this.discard(conn)
        if (job.signal?.aborted && classifyFailure(error) !== 'delivery-unknown') {
          this.settle(job, () => job.reject(abortReason(job.signal!)))
        } else {
          this.failed(job, classifyFailure(error), error)
        }
        this.settledConnection(conn)
        this.pump()
      },
    )
  }

  private info(job: Job, result: SendResult): SendInfo {
    return {
      messageId: job.message.messageId,
      envelope: job.message.envelope,
      accepted: result.accepted,
      rejected: result.rejected,
      response: result.response,
    }
  }

  private failed(job: Job, kind: ReturnType<typeof classifyFailure>, error: unknown): void {
    if (kind === 'delivery-unknown') {
      const unknown = new SendError(
        'delivery-unknown',
        'Unknown whether the message was delivered: the connection failed after the message ' +
          'was sent and before the server replied. It was not retried, to avoid a duplicate.',
        { cause: error },
      )
      this.settle(job, () => job.reject(unknown))
      return
    }
    if (!shouldRetry(kind, job.attempts, this.config.retry.attempts)) {
      this.settle(job, () => job.reject(error))
      return
    }
    job.state = 'backoff'
    const delay = backoffDelay(job.attempts + 1, this.config.retry.backoffMs)
    job.timer = setTimeout(() => {
      job.timer = undefined
      if (job.state !== 'backoff') return
      this.queue.add(job)
      this.pump()
    }, delay)
  }

  private aborted(job: Job): void {
    // While sending, the client sees the same signal and closes that connection itself.
    if (job.state === 'queued') this.queue.left()
    else if (job.state === 'backoff') clearTimeout(job.timer)
    else return
    this.settle(job, () => job.reject(abortReason(job.signal!)))
    this.pump()
  }

  private settle(job: Job, finish: () => void): void {
    if (job.state === 'done') return
    job.state = 'done'
    if (job.onAbort) job.signal!.removeEventListener('abort', job.onAbort)
    finish()
    this.active--
    if (this.active === 0 && this.drained) {
      this.drained()
      this.drained = undefined
    }
  }

  /** After a message settles: recycle a spent connection, or start its idle timer. */
  private settledConnection(conn: Connection): void {
    if (!this.connections.has(conn) || conn.inFlight > 0) return
    if (conn.retiring) {
      this.retire(conn)
    } else if (this.queue.size === 0 && conn.idleTimer === undefined && !this.closing) {
      conn.idleTimer = setTimeout(() => {
        conn.idleTimer = undefined
        if (conn.inFlight === 0) this.retire(conn)
      }, this.config.idleTimeoutMs)
    }
  }

  /** Ends a connection with QUIT (it counts against the limit until QUIT is answered). */
  private retire(conn: Connection): void {
    conn.retiring = true
    this.connections.delete(conn)
    clearTimeout(conn.idleTimer)
    const client = conn.client
    if (client === undefined) return // still connecting: closed when it resolves
    const quit = (client.usable ? client.quit() : Promise.resolve(client.close()))
      .catch(() => client.close())
      .then(() => {
        this.quitting.delete(quit)
        this.pump()
      })
    this.quitting.add(quit)
  }

  private discard(conn: Connection): void {
    conn.retiring = true
    this.connections.delete(conn)
    clearTimeout(conn.idleTimer)
    conn.client?.close()
  }
}
