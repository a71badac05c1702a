/**
 * Where a transaction stands: one value, never a set of flags.
 *
 * @example
 * // waiting -> open -> (ending ->) ended -> settled -> done, or open -> settled on a refusal
 */
export type Phase =
  /** Queued, not started. */
  | { readonly name: 'waiting' }
  /** Commands written, the end of the message data not yet; `mailAccepted` once MAIL got 250. */
  | { readonly name: 'open'; readonly mailAccepted: boolean }
  /** The content is written and every reply so far is in: the caller's `beforeEnd` runs. */
  | { readonly name: 'ending' }
  /**
   * The end of the message data is queued at `endAt` among the session's chunks: the message
   * may be delivered once the socket has taken it. Its reply is due.
   */
  | { readonly name: 'ended'; readonly mailAccepted: boolean; readonly endAt: number }
  /**
   * The caller has its answer; replies still due are read and ignored. `committed`: nothing more
   * will be written for this transaction.
   */
  | { readonly name: 'settled'; readonly committed: boolean }
  /** Every reply read: nothing more to do. */
  | { readonly name: 'done' }

export const WAITING: Phase = { name: 'waiting' }
export const OPEN: Phase = { name: 'open', mailAccepted: false }
export const MAIL_ACCEPTED: Phase = { name: 'open', mailAccepted: true }
export const ENDING: Phase = { name: 'ending' }
export const SETTLED_UNCOMMITTED: Phase = { name: 'settled', committed: false }
export const SETTLED: Phase = { name: 'settled', committed: true }
export const DONE: Phase = { name: 'done' }

/** Nothing more will be written: later operations may be pipelined behind (RFC 2920 3.1). */
export function committed(p: Phase): boolean {
  return p.name === 'ended' || p.name === 'done' || (p.name === 'settled' && p.committed)
}

/** The server accepted MAIL: it holds a transaction until its end, a refusal or RSET. */
export function mailAccepted(p: Phase): boolean {
  return p.name === 'ending' || ((p.name === 'open' || p.name === 'ended') && p.mailAccepted)
}
