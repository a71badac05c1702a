import { type RecipientRejection, SmtpError, type SmtpStage } from '../errors.js'
import { positive, type Reply } from './reply-parser.js'

/**
 * What the server said about the recipients of one transaction: who was accepted, who refused
 * and with what reply, in RCPT order.
 *
 * @example
 * const r = new Recipients(2)
 * r.answered('b@x.org', makeReply(250, ['ok']))
 * r.answered('c@x.org', makeReply(550, ['5.1.1 unknown']))
 * r.accepted // ['b@x.org']
 */
export class Recipients {
  readonly accepted: string[] = []
  readonly rejected: RecipientRejection[] = []
  private replies = 0

  constructor(private readonly count: number) {}

  /** The reply to RCPT TO for `address`. */
  answered(address: string, reply: Reply): void {
    this.replies++
    if (positive(reply)) this.accepted.push(address)
    else this.refused(address, reply)
  }

  /** A refusal of one recipient (to RCPT, or LMTP's reply after the data). */
  refused(address: string, reply: Reply): void {
    const r: RecipientRejection = { address, code: reply.code, message: reply.message }
    if (reply.enhancedCode !== undefined) r.enhancedCode = reply.enhancedCode
    this.rejected.push(r)
  }

  /** Whether some RCPT reply was read. */
  get heard(): boolean {
    return this.replies > 0
  }

  /** Every RCPT was answered and none accepted. */
  get allRefused(): boolean {
    return this.replies === this.count && this.accepted.length === 0
  }

  /** The error for a transaction whose every recipient was refused, listing them. */
  error(stage: SmtpStage, command: string): SmtpError {
    // The error's code is a permanent refusal when there is one, so that `code`, `transient`
    // and `permanent` agree: retrying cannot deliver to every recipient then.
    const rejected = this.rejected
    const last = rejected.find((r) => r.code >= 500) ?? rejected[rejected.length - 1]
    const lines = rejected.map((r) => `${r.address}: ${r.code} ${r.message}`)
    return new SmtpError(`Every recipient was rejected: ${lines.join('; ')}`, {
      stage,
      code: last?.code,
      enhancedCode: last?.enhancedCode,
      command,
      response: last === undefined ? undefined : `${last.code} ${last.message}`,
      transient: rejected.every((r) => r.code >= 400 && r.code < 500),
      rejected,
    })
  }
}
