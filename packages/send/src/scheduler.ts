import type { Failure } from './failure.js'
import { JobQueue } from './job-queue.js'
import { RateLimiter } from './rate-limit.js'
import { backoffDelay, shouldRetry } from './retry.js'

// The pool's decisions, sans I/O: events about messages and connections go in, commands come
// out. No socket, promise or timer lives here; the time of every event is given with it, so the
// rules are tested from transcripts (see test/scheduler.test.ts) and the driver (pool.ts) only
// carries commands out.

/**
 * What happened, told to {@link Scheduler.handle}. Message ids are chosen by the caller in
 * submission order; connection ids come from `open` commands.
 *
 * @example
 * scheduler.handle({ type: 'submitted', id: 1 }, now) // [{ type: 'open', connection: 1 }, ...]
 */
export type PoolEvent =
  /** A message to send; `replayable: false` (a one-shot body) is never tried again once started. */
  | { type: 'submitted'; id: number; replayable?: boolean }
  /** The connection is greeted, secured and authenticated. */
  | { type: 'opened'; connection: number }
  | { type: 'openFailed'; connection: number; failure: Failure }
  /** A retired connection is gone (its QUIT is done, or its opening was cancelled). */
  | { type: 'closed'; connection: number }
  | { type: 'succeeded'; id: number }
  /**
   * An attempt failed; `connectionLost` on the first failure of a connection that died (the
   * others queued on it follow, without it).
   */
  | { type: 'failed'; id: number; failure: Failure; connectionLost?: boolean }
  /** The message's signal aborted. */
  | { type: 'aborted'; id: number }
  /** Time passed (the wake-up asked for by a `wake` command). */
  | { type: 'tick' }
  /** The transport closes: finish the messages, then retire every connection. */
  | { type: 'close' }

/**
 * How a message ended: `'failed'` carries its last attempt's error (a permanent refusal, or the
 * retry budget spent on its own attempts); `'unreachable'` means no connection could be opened
 * (the last opening's error).
 */
export type Outcome = 'sent' | 'failed' | 'delivery-unknown' | 'aborted' | 'unreachable'

/**
 * What to do, returned by {@link Scheduler.handle} in order.
 *
 * @example
 * { type: 'dispatch', id: 7, connection: 2 } // send message 7 on connection 2
 */
export type PoolCommand =
  | { type: 'open'; connection: number }
  | { type: 'dispatch'; id: number; connection: number }
  /** End the connection (QUIT when it is usable; abort it while it opens). */
  | { type: 'retire'; connection: number }
  | { type: 'settle'; id: number; outcome: Outcome }
  /** Send a `tick` at this time (replaces the previous request); undefined: none needed. */
  | { type: 'wake'; at: number | undefined }
  /** After `close`: every message settled and every connection closed. */
  | { type: 'drained' }

/** The pool's settings with defaults filled in. */
export interface SchedulerConfig {
  maxConnections: number
  maxMessagesPerConnection: number
  maxInFlightPerConnection: number
  idleTimeoutMs: number
  rateLimit: { messages: number; perMs: number } | undefined
  /** Attempts per message, and rounds of failed connection openings before giving up. */
  attempts: number
  backoffMs: number
  /** How long one fewer connection is opened after the server asked to slow down. */
  slowDownMs: number
}

interface Job {
  seq: number
  replayable: boolean
  attempts: number
  state: 'queued' | 'backoff' | 'sending' | 'done'
  readyAt: number
  /** The signal aborted while the message was on the wire: settle when its attempt ends. */
  aborted: boolean
  connection: number
}

interface Connection {
  id: number
  /** draining: no more messages (maxMessagesPerConnection), retired once its last one ends. */
  state: 'opening' | 'ready' | 'draining' | 'retiring'
  inFlight: number
  assigned: number
  idleSince: number
}

/**
 * Shares up to `maxConnections` connections among messages in submission order. The rules:
 * - an attempt counts only for a message whose commands were written to the connection that
 *   failed; a message only queued on it goes back to the front, its attempts unchanged;
 * - transient failures are retried with exponential backoff, permanent ones and unknown
 *   deliveries never;
 * - openings have their own backoff: failed openings delay the next one and, after `attempts`
 *   rounds with no connection alive (or one permanent refusal), the waiting messages fail as
 *   unreachable; they never spend the messages' attempts;
 * - a 421 or 4.7.x reply lowers the number of connections for `slowDownMs`, then it rises again
 *   by one per `slowDownMs`;
 * - a waiting message goes to an idle connection, else to a new one while the limit allows, and
 *   only then is pipelined behind others (at most `maxInFlightPerConnection` per connection).
 *
 * @example
 * const s = new Scheduler(config)
 * s.handle({ type: 'submitted', id: 1 }, 0)  // [{ type: 'open', connection: 1 }]
 * s.handle({ type: 'opened', connection: 1 }, 5) // [{ type: 'dispatch', id: 1, connection: 1 }]
 */
export class Scheduler {
  private readonly config: SchedulerConfig
  private readonly limiter: RateLimiter | undefined
  private readonly jobs = new Map<number, Job>()
  private readonly queue = new JobQueue<Job>()
  private readonly backoff = new Set<Job>()
  private readonly connections = new Map<number, Connection>()
  private out: PoolCommand[] = []
  private now = 0
  private nextConnection = 1
  /** Failed openings in a row (the backoff exponent); reset by a successful one. */
  private openFailures = 0
  /** Rounds of failed openings with no connection alive (the give-up count). */
  private failedRounds = 0
  private gateUntil = 0
  /** Connections allowed now: lowered when the server asks to slow down. */
  private cap: number
  private capRestoreAt = 0
  /** Connections that lowered the limit since it last rose. */
  private readonly slowedBy = new Set<number>()
  private closing = false
  private drainedSent = false
  private wakeAt: number | undefined

  constructor(config: SchedulerConfig) {
    this.config = config
    this.cap = config.maxConnections
    this.limiter = config.rateLimit && new RateLimiter(config.rateLimit, () => this.now)
  }

  /** Messages not yet settled. */
  get pending(): number {
    return this.jobs.size
  }

  /** Applies one event at time `now` and returns the commands it leads to, in order. */
  handle(event: PoolEvent, now: number): PoolCommand[] {
    this.now = Math.max(this.now, now)
    switch (event.type) {
      case 'submitted':
        this.submitted(event.id, event.replayable ?? true)
        break
      case 'opened':
        this.opened(event.connection)
        break
      case 'openFailed':
        this.openFailed(event.connection, event.failure)
        break
      case 'closed':
        this.connections.delete(event.connection)
        break
      case 'succeeded':
        this.ended(event.id, false, (job) => this.settle(job, 'sent'))
        break
      case 'failed':
        this.ended(event.id, event.connectionLost === true, (job, conn) => {
          if (event.failure.slowDown && conn !== undefined) this.slowDown(conn)
          this.failed(job, event.failure)
        })
        break
      case 'aborted':
        this.aborted(event.id)
        break
      case 'tick':
        // The requested wake-up has come (timers may fire a little early): ask again if needed.
        this.wakeAt = undefined
        break
      case 'close':
        this.closing = true
        break
    }
    this.plan()
    const out = this.out
    this.out = []
    return out
  }

  private submitted(id: number, replayable: boolean): void {
    const job: Job = {
      seq: id,
      replayable,
      attempts: 0,
      state: 'queued',
      readyAt: 0,
      aborted: false,
      connection: 0,
    }
    this.jobs.set(id, job)
    this.queue.add(job)
  }

  private opened(id: number): void {
    const conn = this.connections.get(id)
    if (conn === undefined) return
    this.openFailures = 0
    this.failedRounds = 0
    this.gateUntil = 0
    if (conn.state === 'retiring') return
    conn.state = 'ready'
    conn.idleSince = this.now
  }

  private openFailed(id: number, failure: Failure): void {
    const conn = this.connections.get(id)
    if (conn === undefined) return
    if (conn.state !== 'retiring' && failure.slowDown) this.slowDown(conn)
    this.connections.delete(id)
    if (conn.state === 'retiring') return
    this.openFailures++
    this.gateUntil = this.now + backoffDelay(this.openFailures + 1, this.config.backoffMs)
    if (this.alive() > 0) return // the others serve the queue meanwhile
    this.failedRounds++
    if (failure.kind !== 'permanent' && this.failedRounds < this.config.attempts) return
    // No connection can be had: the waiting messages fail; their own attempts are untouched.
    this.failedRounds = 0
    for (let job = this.queue.peek(); job !== undefined; job = this.queue.peek()) {
      this.queue.take()
      this.settle(job, 'unreachable')
    }
  }

  /**
   * A message's attempt ended: its connection has one message fewer in flight, or is gone.
   * `then` sees the connection as it was (undefined when an earlier failure reported it lost).
   */
  private ended(id: number, lost: boolean, then: (job: Job, conn?: Connection) => void): void {
    const job = this.jobs.get(id)
    if (job === undefined || job.state !== 'sending') return
    const conn = this.connections.get(job.connection)
    if (conn !== undefined) {
      conn.inFlight--
      if (conn.inFlight === 0) conn.idleSince = this.now
    }
    then(job, conn)
    if (lost && conn !== undefined) this.connections.delete(conn.id)
  }

  private failed(job: Job, failure: Failure): void {
    if (job.aborted) {
      this.settle(job, failure.kind === 'delivery-unknown' ? failure.kind : 'aborted')
      return
    }
    if (!failure.started) {
      // Only queued on a connection that failed: not an attempt. Back to the front.
      this.queue.add(job)
      return
    }
    job.attempts++
    if (failure.kind === 'delivery-unknown') {
      this.settle(job, 'delivery-unknown')
    } else if (!job.replayable || !shouldRetry(failure.kind, job.attempts, this.config.attempts)) {
      this.settle(job, 'failed')
    } else {
      job.state = 'backoff'
      job.readyAt = this.now + backoffDelay(job.attempts + 1, this.config.backoffMs)
      this.backoff.add(job)
    }
  }

  private aborted(id: number): void {
    const job = this.jobs.get(id)
    if (job === undefined) return
    if (job.state === 'queued') {
      this.queue.left()
      this.settle(job, 'aborted')
    } else if (job.state === 'backoff') {
      this.backoff.delete(job)
      this.settle(job, 'aborted')
    } else if (job.state === 'sending') {
      // The client sees the same signal and ends the attempt; its outcome settles the message.
      job.aborted = true
    }
  }

  private settle(job: Job, outcome: Outcome): void {
    job.state = 'done'
    this.jobs.delete(job.seq)
    this.out.push({ type: 'settle', id: job.seq, outcome })
  }

  /**
   * The server asked for less on `conn`: one connection fewer than are alive (it included), for
   * `slowDownMs`. One connection lowers the limit once until the limit rises again.
   */
  private slowDown(conn: Connection): void {
    if (this.slowedBy.has(conn.id)) return
    this.slowedBy.add(conn.id)
    this.cap = Math.max(1, Math.min(this.cap, this.alive()) - 1)
    this.capRestoreAt = this.now + this.config.slowDownMs
  }

  /** Connections opening or able to send. */
  private alive(): number {
    let n = 0
    for (const conn of this.connections.values()) if (conn.state !== 'retiring') n++
    return n
  }

  /** Everything the current state asks for at `now`. */
  private plan(): void {
    const now = this.now
    if (this.backoff.size > 0) {
      for (const job of this.backoff) {
        if (job.readyAt > now) continue
        this.backoff.delete(job)
        this.queue.add(job) // by submission order: before every later message
      }
    }
    if (this.cap < this.config.maxConnections && now >= this.capRestoreAt) {
      this.cap++
      this.capRestoreAt = now + this.config.slowDownMs
      this.slowedBy.clear()
    }
    let rateWait = 0
    for (let job = this.queue.peek(); job !== undefined; job = this.queue.peek()) {
      if (this.limiter !== undefined) {
        rateWait = this.limiter.delay()
        if (rateWait > 0) break
      }
      const conn = this.pick()
      if (conn === undefined) break
      this.queue.take()
      this.limiter?.record()
      this.dispatch(job, conn)
    }
    this.retireIdle()
    if (this.closing && this.jobs.size === 0) this.retireAll()
    this.requestWake(rateWait)
  }

  /**
   * The connection for the next waiting message: an idle one; else a new one is opened while
   * openings in progress do not already cover the waiting messages; else the least busy one
   * with room in its pipeline, for the messages beyond those the openings will take.
   */
  private pick(): Connection | undefined {
    let idle: Connection | undefined
    let busy: Connection | undefined
    let opening = 0
    for (const conn of this.connections.values()) {
      if (conn.state === 'opening') opening++
      if (conn.state !== 'ready') continue
      if (conn.inFlight === 0) {
        idle = conn
        break
      }
      if (conn.inFlight < this.config.maxInFlightPerConnection) {
        if (busy === undefined || conn.inFlight < busy.inFlight) busy = conn
      }
    }
    if (idle !== undefined) return idle
    const waiting = this.queue.size
    while (opening < waiting && this.canOpen(opening)) {
      this.open()
      opening++
    }
    return waiting > opening ? busy : undefined
  }

  private canOpen(opening: number): boolean {
    if (this.closing && this.jobs.size === 0) return false
    const limit = Math.min(this.config.maxConnections, this.cap)
    if (this.connections.size >= limit || this.now < this.gateUntil) return false
    // After a failed opening, probe with one connection at a time until one succeeds.
    return this.openFailures === 0 || opening === 0
  }

  private open(): void {
    const id = this.nextConnection++
    this.connections.set(id, {
      id,
      state: 'opening',
      inFlight: 0,
      assigned: 0,
      idleSince: this.now,
    })
    this.out.push({ type: 'open', connection: id })
  }

  private dispatch(job: Job, conn: Connection): void {
    job.state = 'sending'
    job.connection = conn.id
    conn.inFlight++
    conn.assigned++
    if (conn.assigned >= this.config.maxMessagesPerConnection) conn.state = 'draining'
    this.out.push({ type: 'dispatch', id: job.seq, connection: conn.id })
  }

  /** Spent connections whose last message ended, and idle ones past their idle timeout. */
  private retireIdle(): void {
    const idleLimit = this.now - this.config.idleTimeoutMs
    const queueEmpty = this.queue.size === 0
    for (const conn of this.connections.values()) {
      if (conn.inFlight > 0) continue
      if (
        conn.state === 'draining' ||
        (conn.state === 'ready' && queueEmpty && conn.idleSince <= idleLimit)
      ) {
        this.retire(conn)
      }
    }
  }

  private retireAll(): void {
    for (const conn of this.connections.values()) if (conn.state !== 'retiring') this.retire(conn)
    if (this.connections.size === 0 && !this.drainedSent) {
      this.drainedSent = true
      this.out.push({ type: 'drained' })
    }
  }

  private retire(conn: Connection): void {
    conn.state = 'retiring'
    this.out.push({ type: 'retire', connection: conn.id })
  }

  /** The earliest time the state changes by itself; asked for only when it moves. */
  private requestWake(rateWait: number): void {
    const now = this.now
    let at = Number.POSITIVE_INFINITY
    for (const job of this.backoff) at = Math.min(at, job.readyAt)
    if (rateWait > 0) at = Math.min(at, now + rateWait)
    if (this.queue.size > 0 && now < this.gateUntil) at = Math.min(at, this.gateUntil)
    if (this.cap < this.config.maxConnections) at = Math.min(at, this.capRestoreAt)
    if (this.queue.size === 0 && !this.closing) {
      for (const conn of this.connections.values()) {
        if (conn.state === 'ready' && conn.inFlight === 0) {
          at = Math.min(at, conn.idleSince + this.config.idleTimeoutMs)
        }
      }
    }
    const wake = at === Number.POSITIVE_INFINITY ? undefined : at
    if (wake === this.wakeAt) return
    this.wakeAt = wake
    this.out.push({ type: 'wake', at: wake })
  }
}
