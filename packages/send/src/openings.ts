import type { Failure } from './failure.js'
import { backoffDelay } from './retry.js'

/** What the opening policy needs of the pool's settings. */
export interface OpeningConfig {
  maxConnections: number
  /** Rounds of failed openings, with no connection alive, before the waiting messages give up. */
  attempts: number
  backoffMs: number
  slowDownMs: number
}

/**
 * When the pool may open another connection: its own backoff after failed openings (which never
 * spends the messages' attempts), one probe at a time until one succeeds, and a lower limit for
 * a while after the server asked to slow down. Pure: the time is given with every call.
 *
 * @example
 * const openings = new Openings(config)
 * if (openings.allows(now, connections, opening)) open()
 */
export class Openings {
  private readonly config: OpeningConfig
  /** Failed openings in a row (the backoff exponent); reset by a successful one. */
  private failures = 0
  /** Rounds of failed openings with no connection alive (the give-up count). */
  private failedRounds = 0
  private gateUntil = 0
  /** Connections allowed now: lowered when the server asks to slow down. */
  private cap: number
  private capRestoreAt = 0
  /** Connections that lowered the limit since it last rose. */
  private readonly slowedBy = new Set<number>()

  constructor(config: OpeningConfig) {
    this.config = config
    this.cap = config.maxConnections
  }

  /** A connection opened: the server takes connections again. */
  succeeded(): void {
    this.failures = 0
    this.failedRounds = 0
    this.gateUntil = 0
  }

  /**
   * An opening failed at `now`; `alone` when no other connection is alive. True when the waiting
   * messages should give up: after `attempts` such rounds, or at once for a permanent refusal.
   */
  failed(failure: Failure, now: number, alone: boolean): boolean {
    this.failures++
    this.gateUntil = now + backoffDelay(this.failures + 1, this.config.backoffMs)
    if (!alone) return false // the others serve the queue meanwhile
    this.failedRounds++
    if (failure.kind !== 'permanent' && this.failedRounds < this.config.attempts) return false
    this.failedRounds = 0
    return true
  }

  /**
   * The server asked for less on connection `id`: one connection fewer than the `alive` ones (it
   * included), for `slowDownMs`. One connection lowers the limit once until the limit rises.
   */
  slowDown(id: number, alive: number, now: number): void {
    if (this.slowedBy.has(id)) return
    this.slowedBy.add(id)
    this.cap = Math.max(1, Math.min(this.cap, alive) - 1)
    this.capRestoreAt = now + this.config.slowDownMs
  }

  /** Raises a lowered limit by one per `slowDownMs` without a new request to slow down. */
  restore(now: number): void {
    if (this.cap < this.config.maxConnections && now >= this.capRestoreAt) {
      this.cap++
      this.capRestoreAt = now + this.config.slowDownMs
      this.slowedBy.clear()
    }
  }

  /** Whether one more connection may be opened, with `total` open and `opening` of them opening. */
  allows(now: number, total: number, opening: number): boolean {
    if (total >= Math.min(this.config.maxConnections, this.cap) || now < this.gateUntil) {
      return false
    }
    // After a failed opening, probe with one connection at a time until one succeeds.
    return this.failures === 0 || opening === 0
  }

  /** The next time the policy changes by itself, given whether messages wait for a connection. */
  nextChange(now: number, waiting: boolean): number {
    let at = Number.POSITIVE_INFINITY
    if (waiting && now < this.gateUntil) at = this.gateUntil
    if (this.cap < this.config.maxConnections) at = Math.min(at, this.capRestoreAt)
    return at
  }
}
