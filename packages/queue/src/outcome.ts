import { classifyFailure, type RawSendInfo, SmtpError } from '@mail/send'
import type { MessageState, RecipientStatus } from './types.js'

/** What is stored about one recipient: its status without the address. */
export type Outcome = Omit<RecipientStatus, 'address'>

/** What one transaction decided for its recipients (pure: the worker writes it to Redis). */
export interface Verdict {
  /** Recipients settled for good by this transaction. */
  settled: Map<string, Outcome>
  /** Recipients refused for now (4xx or a failed connection): tried again after a backoff. */
  transient: Map<string, Outcome>
  /** False when the send failed before any of its commands was written: not an attempt. */
  started: boolean
  /** Limiter scopes asked to slow down: 'all' for the transport, or recipient addresses' domains. */
  slowDown: { all: boolean; addresses: string[] }
  /** The error of the whole transaction, when it failed as a whole. */
  error?: string
}

const REPLY = /^(\d{3})[ -](?:(\d\.\d{1,3}\.\d{1,3})\b)?/

/** The code and enhanced code at the start of a server reply, when it has them. */
function replyCodes(response: string): Pick<Outcome, 'code' | 'enhancedCode'> {
  const m = REPLY.exec(response)
  if (m === null) return {}
  return m[2] === undefined ? { code: Number(m[1]) } : { code: Number(m[1]), enhancedCode: m[2] }
}

/** RFC 5321 4.2.2 421, or RFC 3463 4.7.x: the server asks for less traffic. */
function asksToSlowDown(code: number | undefined, enhancedCode: string | undefined): boolean {
  return code === 421 || enhancedCode?.startsWith('4.7.') === true
}

function outcome(
  status: Outcome['status'],
  code: number | undefined,
  enhancedCode: string | undefined,
  response: string,
): Outcome {
  const o: Outcome = { status, response }
  if (code !== undefined) o.code = code
  if (enhancedCode !== undefined) o.enhancedCode = enhancedCode
  return o
}

/**
 * What a transaction to `pending` decided: from its result (`info`) or its error. Accepted
 * recipients and 5xx refusals are settled; 4xx refusals are transient; a failure after the end
 * of the data (delivery unknown) settles every recipient as unknown; a permanent failure of the
 * whole transaction settles them as rejected; a transient one leaves them for a retry.
 *
 * @example
 * judge(['a@x.org'], { info: { accepted: ['a@x.org'], rejected: [], response: '250 ok', envelope } })
 * // settled: a@x.org accepted
 */
export function judge(
  pending: readonly string[],
  result: { info: Pick<RawSendInfo, 'accepted' | 'rejected' | 'response'> } | { error: unknown },
): Verdict {
  const verdict: Verdict = {
    settled: new Map(),
    transient: new Map(),
    started: true,
    slowDown: { all: false, addresses: [] },
  }
  const rejections = 'info' in result ? result.info.rejected : rejectedOf(result.error)
  for (const r of rejections ?? []) {
    const o = outcome(r.code >= 500 ? 'rejected' : 'pending', r.code, r.enhancedCode, r.message)
    ;(r.code >= 500 ? verdict.settled : verdict.transient).set(r.address, o)
    if (asksToSlowDown(r.code, r.enhancedCode)) verdict.slowDown.addresses.push(r.address)
  }
  if ('info' in result) {
    const { accepted, response } = result.info
    const codes = replyCodes(response)
    for (const address of accepted) {
      verdict.settled.set(address, outcome('accepted', codes.code, codes.enhancedCode, response))
    }
  } else if (rejections === undefined) {
    const error = result.error
    const smtp = error instanceof SmtpError ? error : undefined
    const message = error instanceof Error ? error.message : String(error)
    const kind = classifyFailure(error)
    const status = kind === 'transient' ? 'pending' : kind === 'permanent' ? 'rejected' : 'unknown'
    const o = outcome(status, smtp?.code, smtp?.enhancedCode, smtp?.response ?? message)
    for (const address of pending)
      (status === 'pending' ? verdict.transient : verdict.settled).set(address, o)
    verdict.started = smtp?.notStarted !== true
    verdict.slowDown.all = asksToSlowDown(smtp?.code, smtp?.enhancedCode)
    verdict.error = message
  }
  // A recipient the result does not name (it should not happen) is tried again, not dropped.
  for (const address of pending) {
    if (!verdict.settled.has(address) && !verdict.transient.has(address)) {
      verdict.transient.set(address, { status: 'pending', response: 'no outcome was reported' })
    }
  }
  return verdict
}

/** Every recipient's refusal, when the server refused them all (an SmtpError). */
function rejectedOf(error: unknown): RawSendInfo['rejected'] | undefined {
  return error instanceof SmtpError && error.rejected !== undefined && error.rejected.length > 0
    ? error.rejected
    : undefined
}

/**
 * The state `queue.status` reports, from BullMQ's state of the job and its recipients.
 * Settled jobs (BullMQ 'completed' or 'failed'): 'unknown' when any recipient is unknown, else
 * 'sent' when all were accepted, 'partial' when some were, 'failed' when none was.
 *
 * @example
 * messageState('completed', [{ address: 'a@x.org', status: 'accepted' }]) // 'sent'
 */
export function messageState(
  bullState: string,
  recipients: readonly Pick<RecipientStatus, 'status'>[],
): MessageState {
  if (bullState === 'active' || bullState === 'delayed') return bullState
  if (bullState !== 'completed' && bullState !== 'failed') return 'waiting'
  if (recipients.some((r) => r.status === 'unknown')) return 'unknown'
  const accepted = recipients.filter((r) => r.status === 'accepted').length
  if (accepted === recipients.length && accepted > 0) return 'sent'
  return accepted > 0 ? 'partial' : 'failed'
}

/**
 * Milliseconds before the retry that follows failure number `tries` (1 for the first):
 * `backoffMs` doubled for each earlier failure, capped at a minute, as `@mail/send`'s retries.
 */
export function backoffMs(tries: number, base: number): number {
  return Math.min(60_000, base * 2 ** Math.min(Math.max(tries - 1, 0), 30))
}
