import { SmtpError } from '@mail/smtp'

/**
 * What a failed attempt means for the message:
 * - `'transient'`: a 4xx reply, or the connection was lost before the end of the data was sent;
 *   nothing was delivered, so trying again (on a fresh connection) cannot duplicate it.
 * - `'permanent'`: a 5xx reply or an error no retry can fix.
 * - `'delivery-unknown'`: the connection failed after the final "." (or last BDAT chunk) and
 *   before its reply: the server may have taken the message; retrying could deliver it twice.
 */
export type FailureKind = 'transient' | 'permanent' | 'delivery-unknown'

/**
 * Classifies an error of one attempt (RFC 5321 section 4.2.1: 4yz transient, 5yz permanent).
 *
 * @example
 * classifyFailure(err) === 'transient' // retry later
 */
export function classifyFailure(error: unknown): FailureKind {
  if (!(error instanceof SmtpError)) return 'permanent'
  if (error.deliveryUnknown) return 'delivery-unknown'
  return error.transient ? 'transient' : 'permanent'
}

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
