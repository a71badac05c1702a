import type { Failure } from './failure.js'

// The vocabulary between the pool's scheduler (scheduler.ts, pure) and its driver (pool.ts).

/**
 * What happened, told to `Scheduler.handle`. Message ids are chosen by the caller in
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
   * others queued on it follow, without it); `unread`: it never began to read the message's
   * one-shot body, which may then be tried again.
   */
  | { type: 'failed'; id: number; failure: Failure; connectionLost?: boolean; unread?: boolean }
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
 * What to do, returned by `Scheduler.handle` in order.
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
