import type { SmtpError, SmtpStage } from '../errors.js'
import type { Reply } from './reply-parser.js'
import { replyError, type Session } from './session.js'
import type { Operation } from './types.js'

/** A single command outside a transaction: RSET, NOOP or QUIT (RFC 5321 4.1.1.5, .9, .10). */
export class ControlCommand implements Operation {
  committed = false
  done = false
  readonly openBdat = false

  constructor(
    private readonly s: Session,
    private readonly verb: 'RSET' | 'NOOP' | 'QUIT',
    private readonly resolve: () => void,
    private readonly reject: (error: SmtpError) => void,
  ) {}

  start(): void {
    const stage: SmtpStage = this.verb === 'QUIT' ? 'quit' : 'mail'
    if (this.verb === 'RSET') {
      this.s.dirty = false
      // RFC 2920 3.1: RSET may sit anywhere in a pipelined group.
      this.committed = true
    }
    this.s.send(`${this.verb}\r\n`, {
      stage,
      command: this.verb,
      timeout: 'command',
      handle: (reply: Reply) => {
        this.done = true
        if (this.verb === 'QUIT') {
          this.resolve()
          this.s.closed()
          return
        }
        if (reply.code >= 200 && reply.code < 300) this.resolve()
        else this.reject(replyError(`${this.verb} was refused`, reply, stage, this.verb))
        this.s.pump()
      },
    })
  }

  fail(error: SmtpError): void {
    this.done = true
    if (this.verb === 'QUIT') this.resolve()
    else this.reject(error)
  }
}
