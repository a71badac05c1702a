import type { FailureKind } from './failure.js'

/** The longest wait between two attempts. */
export const MAX_BACKOFF_MS = 60_000

/**
 * Milliseconds to wait before attempt number `attempt` (2 for the first retry): `backoffMs`
 * doubled for each earlier retry, capped at {@link MAX_BACKOFF_MS}.
 *
 * @example
 * backoffDelay(2, 1000) // 1000
 * backoffDelay(4, 1000) // 4000
 */
export function backoffDelay(attempt: number, backoffMs: number): number {
  if (attempt <= 1 || backoffMs <= 0) return 0
  return Math.min(MAX_BACKOFF_MS, backoffMs * 2 ** Math.min(attempt - 2, 30))
}

/**
 * Whether a failed attempt should be tried again.
 *
 * @example
 * shouldRetry('transient', 1, 3) // true: attempts 2 and 3 remain
 */
export function shouldRetry(kind: FailureKind, attemptsMade: number, maxAttempts: number): boolean {
  return kind === 'transient' && attemptsMade < maxAttempts
}
