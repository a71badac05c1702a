import type { Failure } from './failure.js'
import { JobQueue } from './job-queue.js'
import { Openings } from './openings.js'
import type { Outcome, PoolCommand, PoolEvent, SchedulerConfig } from './pool-events.js'
import { RateLimiter } from './rate-limit.js'
import { backoffDelay, shouldRetry } from './retry.js'

// The pool's decisions, sans I/O: events about messages and connections go in, commands come
// out (pool-events.ts). No socket, promise or timer lives here; the time of every event is given
// with it, so the rules are tested from transcripts (see test/scheduler.test.ts) and the driver
// (pool.ts) only carries commands out.

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
 *   deliveries never, nor a one-shot message once an attempt began to read it;
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
  private readonly out: PoolCommand[] = []
  private readonly openings: Openings
  private now = 0
  private nextConnection = 1
  private closing = false
  private drainedSent = false
  private wakeAt: number | undefined

  constructor(config: SchedulerConfig) {
    this.config = config
    this.openings = new Openings(config)
    this.limiter = config.rateLimit && new RateLimiter(config.rateLimit, () => this.now)
  }

  /** Messages not yet settled. */
  get pending(): number {
    return this.jobs.size
  }

  /**
   * Applies one event at time `now` and returns the commands it leads to, in order. The list is
   * reused by the next call (one per message would only feed the collector): read it first.
   */
  handle(event: PoolEvent, now: number): readonly PoolCommand[] {
    this.out.length = 0
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
        this.succeeded(event.id)
        break
      case 'failed':
        this.failed(event.id, event.failure, event.connectionLost === true, event.unread === true)
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
    return this.out
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
    this.openings.succeeded()
    if (conn.state === 'retiring') return
    conn.state = 'ready'
    conn.idleSince = this.now
  }

  private openFailed(id: number, failure: Failure): void {
    const conn = this.connections.get(id)
    if (conn === undefined) return
    if (conn.state === 'retiring') {
      this.connections.delete(id)
      return
    }
    if (failure.slowDown) this.openings.slowDown(id, this.alive(), this.now)
    this.connections.delete(id)
    if (!this.openings.failed(failure, this.now, this.alive() === 0)) return
    // No connection can be had: the waiting messages fail; their own attempts are untouched.
    for (let job = this.queue.peek(); job !== undefined; job = this.queue.peek()) {
      this.queue.take()
      this.settle(job, 'unreachable')
    }
  }

  /** The message whose attempt ended, if it was on the wire; its connection has one fewer. */
  private ended(id: number): Job | undefined {
    const job = this.jobs.get(id)
    if (job === undefined || job.state !== 'sending') return undefined
    const conn = this.connections.get(job.connection)
    if (conn !== undefined && --conn.inFlight === 0) conn.idleSince = this.now
    return job
  }

  private succeeded(id: number): void {
    const job = this.ended(id)
    if (job !== undefined) this.settle(job, 'sent')
  }

  private failed(id: number, failure: Failure, connectionLost: boolean, unread: boolean): void {
    const job = this.ended(id)
    if (job === undefined) return
    // Gone already when an earlier failure reported it lost.
    const conn = this.connections.get(job.connection)
    if (conn !== undefined) {
      if (failure.slowDown) this.openings.slowDown(conn.id, this.alive(), this.now)
      if (connectionLost) this.connections.delete(conn.id)
    }
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
    } else if (
      (!job.replayable && !unread) ||
      !shouldRetry(failure.kind, job.attempts, this.config.attempts)
    ) {
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
    this.openings.restore(now)
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
    return this.openings.allows(this.now, this.connections.size, opening)
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
    let at = this.openings.nextChange(now, this.queue.size > 0)
    for (const job of this.backoff) at = Math.min(at, job.readyAt)
    if (rateWait > 0) at = Math.min(at, now + rateWait)
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
