import type { SmtpStage } from '../errors.js'
import type { Reply } from './reply-parser.js'
import type { Expectation, TimeoutKind } from './types.js'

// What a reply answers. A transaction dispatches the common steps by kind, so a pipelined
// transaction allocates one small object per command and no closures; rarer ones carry a callback.
export const MAIL = 0
export const RCPT = 1
export const DATA = 2
export const END = 3
export const RSET = 4
export const BDAT_END = 5
export const OTHER = 6

/** Whoever awaits the step's reply (a transaction). */
export interface StepOwner {
  answer(step: Step, reply: Reply): void
}

/**
 * One awaited reply of a transaction.
 *
 * @example
 * session.send('MAIL FROM:<a@b.example>\r\n', new Step(tx, MAIL, 'mail', 'MAIL FROM', 'command', 0, undefined))
 */
export class Step implements Expectation {
  constructor(
    readonly owner: StepOwner,
    readonly kind: number,
    readonly stage: SmtpStage,
    readonly command: string,
    readonly timeout: TimeoutKind,
    /** The recipient's position, for RCPT. */
    readonly index: number,
    /** The handler of an OTHER step. */
    readonly on: ((reply: Reply) => void) | undefined,
  ) {}

  get label(): string {
    return this.stage === 'message' ? 'the end of the message data' : this.command
  }

  handle(reply: Reply): void {
    this.owner.answer(this, reply)
  }
}
