import { replyError, type SmtpError, type SmtpStage } from '../errors.js'
import type { OperationSession } from './conversation.js'
import { positive, type Reply } from './reply-parser.js'
import type { Operation } from './types.js'
import { CRLF } from './wire.js'

/** Where a control command stands. */
type Phase = 'waiting' | 'sent' | 'done'

/** A single command outside a transaction: RSET, NOOP or QUIT (RFC 5321 4.1.1.5, .9, .10). */
export class ControlCommand implements Operation {
  private phase: Phase = 'waiting'
  readonly openBdat = false

  constructor(
    private readonly s: OperationSession,
    private readonly verb: 'RSET' | 'NOOP' | 'QUIT',
    private readonly resolve: () => void,
    private readonly reject: (error: SmtpError) => void,
  ) {}

  /** RFC 2920 3.1: RSET may sit anywhere in a pipelined group; NOOP and QUIT wait their turn. */
  get committed(): boolean {
    return this.verb === 'RSET' && this.phase !== 'waiting'
  }

  get done(): boolean {
    return this.phase === 'done'
  }

  start(): void {
    const stage: SmtpStage = this.verb === 'QUIT' ? 'quit' : 'mail'
    if (this.verb === 'RSET') this.s.resetSent()
    this.phase = 'sent'
    this.s.send(`${this.verb}${CRLF}`, {
      stage,
      command: this.verb,
      timeout: 'command',
      handle: (reply: Reply) => {
        this.phase = 'done'
        if (this.verb === 'QUIT') {
          this.resolve()
          this.s.finished()
          return
        }
        if (positive(reply)) this.resolve()
        else this.reject(replyError(`${this.verb} was refused`, reply, stage, this.verb))
        this.s.progressed()
      },
    })
  }

  interrupted(error: SmtpError): void {
    this.phase = 'done'
    if (this.verb === 'QUIT') this.resolve()
    else this.reject(error)
  }
}
