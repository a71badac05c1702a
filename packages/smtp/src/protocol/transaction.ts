import { type RecipientRejection, SmtpError, type SmtpStage } from '../errors.js'
import { BdatChunks, dataBody, dataBodyNow } from './body.js'
import { command } from './commands.js'
import type { SendResult } from './envelope.js'
import type { MessageSource } from './message.js'
import type { Plan } from './plan.js'
import type { Reply } from './reply-parser.js'
import { replyError, type Session } from './session.js'
import { BDAT_END, DATA, END, MAIL, OTHER, RCPT, RSET, Step } from './step.js'
import type { Expectation, Operation, TimeoutKind } from './types.js'

const positive = (reply: Reply) => reply.code >= 200 && reply.code < 300

/**
 * One mail transaction (RFC 5321 3.3): MAIL, RCPT per recipient, then DATA or BDAT. With
 * PIPELINING (RFC 2920) every command up to DATA, or the whole BDAT transaction, is written at
 * once and the replies are matched in order; without it, one command at a time.
 */
export class Transaction implements Operation {
  committed = false
  done = false
  private accepted: string[] = []
  private readonly rejected: RecipientRejection[] = []
  private outstanding = 0
  private rcptReplies = 0
  private mailOk = false
  /**
   * Where the end of the message data sits among the session's queued chunks, once queued: it
   * was sent, and the message may have been delivered, only once the socket has taken it.
   */
  private endAt: number | undefined
  private settled = false
  private failed = false
  private readonly pipelined: boolean

  constructor(
    private readonly s: Session,
    private readonly plan: Plan,
    private readonly message: MessageSource,
    private readonly resolve: (result: SendResult) => void,
    private readonly reject: (error: SmtpError) => void,
  ) {
    this.pipelined = s.pipelining
  }

  get openBdat(): boolean {
    return this.plan.bdat && !this.done
  }

  start(): void {
    if (this.s.takeReset(this)) {
      this.s.send(command.rset(), this.step(RSET, 'mail', 'RSET', 'command'))
      // Without PIPELINING, MAIL waits for the RSET reply.
      if (!this.pipelined) return
    }
    this.begin()
  }

  private begin(): void {
    this.s.send(this.plan.mail, this.step(MAIL, 'mail', 'MAIL FROM', 'command'))
    if (!this.pipelined) return
    for (let i = 0; i < this.plan.rcpts.length; i++) this.sendRcpt(i)
    if (this.plan.bdat) this.sendBdat(true)
    else this.sendData()
  }

  private send(
    line: string,
    stage: SmtpStage,
    verb: string,
    timeout: TimeoutKind,
    handle: (reply: Reply) => void,
  ): void {
    this.s.send(line, this.expectation(stage, verb, timeout, handle))
  }

  private expectation(
    stage: SmtpStage,
    verb: string,
    timeout: TimeoutKind,
    handle: (reply: Reply) => void,
  ): Expectation {
    return this.step(OTHER, stage, verb, timeout, 0, handle)
  }

  private step(
    kind: number,
    stage: SmtpStage,
    verb: string,
    timeout: TimeoutKind,
    index = 0,
    on?: (reply: Reply) => void,
  ): Step {
    this.outstanding++
    return new Step(this, kind, stage, verb, timeout, index, on)
  }

  /** A reply to one of this transaction's commands, in order. */
  answer(step: Step, reply: Reply): void {
    this.outstanding--
    switch (step.kind) {
      case MAIL:
        this.onMail(reply)
        break
      case RCPT:
        this.onRcpt(step.index, reply)
        break
      case DATA:
        this.onData(reply)
        break
      case END:
        this.onEnd(reply, 'DATA')
        break
      case RSET:
        if (!positive(reply))
          this.fail(replyError('RSET was refused', reply, 'mail', 'RSET'), false)
        else if (!this.pipelined) this.begin()
        break
      case BDAT_END:
        this.onBdatEnd(reply)
        break
      default:
        step.on!(reply)
    }
    if (this.outstanding === 0 && !this.done && (this.settled || this.failed)) {
      this.done = true
      this.s.pump()
    }
  }

  private onMail(reply: Reply): void {
    if (!positive(reply)) {
      this.fail(replyError('MAIL FROM was refused', reply, 'mail', 'MAIL FROM'), false)
      return
    }
    this.mailOk = true
    if (!this.pipelined && !this.failed) this.sendRcpt(0)
  }

  private sendRcpt(i: number): void {
    this.s.send(this.plan.rcpts[i]!.line, this.step(RCPT, 'rcpt', 'RCPT TO', 'command', i))
  }

  private onRcpt(i: number, reply: Reply): void {
    const address = this.plan.rcpts[i]!.address
    this.rcptReplies++
    if (positive(reply)) this.accepted.push(address)
    else this.rejected.push(rejection(address, reply))
    if (this.pipelined || this.failed) return
    if (i + 1 < this.plan.rcpts.length) this.sendRcpt(i + 1)
    else if (this.accepted.length === 0) this.fail(this.allRejected(), false)
    else if (this.plan.bdat) this.sendBdat(false)
    else this.sendData()
  }

  private sendData(): void {
    this.s.send(command.data(), this.step(DATA, 'data', 'DATA', 'dataInit'))
  }

  private onData(reply: Reply): void {
    if (reply.code !== 354) {
      // RFC 2920 3.1: with every RCPT refused, DATA's refusal is expected; report the RCPTs.
      if (!this.failed) {
        this.fail(
          this.accepted.length === 0 && this.rcptReplies > 0
            ? this.allRejected()
            : replyError('DATA was refused', reply, 'data', 'DATA'),
          false,
        )
      }
      return
    }
    if (this.failed || this.accepted.length === 0) {
      // RFC 2920 3.1: a 354 after every RCPT failed still needs an (empty) end of data.
      if (!this.failed) this.fail(this.allRejected(), false)
      this.s.send(
        '.\r\n',
        this.expectation('message', 'DATA', 'data', () => {}),
      )
      this.committed = true
      return
    }
    const size = this.s.config.chunkSize
    if (this.message.size <= size) for (const c of dataBodyNow(this.message)) this.s.sendRaw(c)
    else this.s.sendRaw(dataBody(this.message, size))
    const host = this.s.host
    if (host.logging) host.log('client', `<${this.message.size} octets of message content>`)
    this.s.expect(this.step(END, 'message', 'DATA', 'data'))
    if (host.logging) host.log('client', '.')
    this.endAt = this.s.queued
    this.committed = true
    this.s.pump()
  }

  private sendBdat(all: boolean): void {
    const host = this.s.host
    const chunks = new BdatChunks(this.message, this.s.config.chunkSize, (line) => {
      if (host.logging) host.log('client', line)
    })
    if (all && chunks.count === 1) {
      // The usual case, written at once: one step, no closures.
      this.s.expect(this.step(BDAT_END, 'message', 'BDAT', 'data'))
      this.s.sendRaw(chunks.all())
      this.endAt = this.s.queued
      this.committed = true
      return
    }
    const onChunk = (last: boolean) => (reply: Reply) => {
      if (last) return this.onBdatEnd(reply)
      if (this.rcptReplies === this.plan.rcpts.length && this.accepted.length === 0) {
        if (!this.failed) this.fail(this.allRejected(), false)
        return
      }
      if (!positive(reply)) {
        if (!this.failed) this.fail(replyError('BDAT was refused', reply, 'data', 'BDAT'), false)
        return
      }
      if (!all && !this.failed) next()
    }
    let sent = 0
    const next = () => {
      const last = ++sent === chunks.count
      this.s.sendRaw(chunks.next())
      this.s.expect(this.expectation(last ? 'message' : 'data', 'BDAT', 'data', onChunk(last)))
      if (last) this.endAt = this.s.queued
    }
    if (!all) {
      next()
      return
    }
    for (let i = 0; i < chunks.count; i++) {
      const last = i === chunks.count - 1
      this.s.expect(this.expectation(last ? 'message' : 'data', 'BDAT', 'data', onChunk(last)))
    }
    this.s.sendRaw(chunks.all())
    this.endAt = this.s.queued
    this.committed = true
  }

  /** The reply to BDAT LAST: with every RCPT refused, its refusal reports the recipients. */
  private onBdatEnd(reply: Reply): void {
    if (this.rcptReplies === this.plan.rcpts.length && this.accepted.length === 0) {
      if (!this.failed) this.fail(this.allRejected(), false)
      return
    }
    this.onEnd(reply, 'BDAT')
  }

  private onEnd(reply: Reply, verb: string): void {
    if (this.failed) return
    if (!this.s.config.lmtp) {
      if (!positive(reply)) {
        this.fail(replyError('The message was refused', reply, 'message', verb), false)
        return
      }
      this.succeed(this.accepted, reply)
      return
    }
    // RFC 2033 4.2: one reply per accepted recipient, in RCPT order.
    const delivered: string[] = []
    const recipients = [...this.accepted]
    const onRecipient = (i: number) => (r: Reply) => {
      if (positive(r)) delivered.push(recipients[i]!)
      else this.rejected.push(rejection(recipients[i]!, r))
      if (i < recipients.length - 1) return
      if (delivered.length === 0) return this.fail(this.allRejected('message'), false)
      this.succeed(delivered, r)
    }
    for (let i = recipients.length - 1; i >= 1; i--) {
      this.s.expect(this.expectation('message', verb, 'data', onRecipient(i)), true)
    }
    onRecipient(0)(reply)
  }

  private succeed(accepted: string[], reply: Reply): void {
    if (this.settled) return
    this.settled = true
    this.resolve({ accepted, rejected: this.rejected, response: reply.raw })
  }

  private allRejected(stage: SmtpStage = 'rcpt'): SmtpError {
    // The error's code is a permanent refusal when there is one, so that `code`, `transient`
    // and `permanent` agree: retrying cannot deliver to every recipient then.
    const last = this.rejected.find((r) => r.code >= 500) ?? this.rejected[this.rejected.length - 1]
    const lines = this.rejected.map((r) => `${r.address}: ${r.code} ${r.message}`)
    return new SmtpError(`Every recipient was rejected: ${lines.join('; ')}`, {
      stage,
      code: last?.code,
      enhancedCode: last?.enhancedCode,
      command: stage === 'rcpt' ? 'RCPT TO' : this.plan.bdat ? 'BDAT' : 'DATA',
      response: last === undefined ? undefined : `${last.code} ${last.message}`,
      transient: this.rejected.every((r) => r.code >= 400 && r.code < 500),
      rejected: this.rejected,
    })
  }

  /** Fails this call only; the connection stays usable unless `lost`. */
  fail(error: SmtpError, lost: boolean): void {
    this.failed = true
    // A refused transaction can leave the server in MAIL state (RFC 5321 4.1.1.5): RSET first.
    if (!lost && this.mailOk && (this.endAt === undefined || this.plan.bdat)) this.s.dirty = true
    if (lost) this.done = true
    if (this.settled) return
    this.settled = true
    if (lost && this.endAt !== undefined && this.s.handedUpTo(this.endAt)) {
      error = new SmtpError(`${error.message}; the message was sent and may have been delivered`, {
        stage: error.stage,
        command: error.command,
        transient: true,
        deliveryUnknown: true,
        cause: error.cause,
      })
    }
    this.reject(error)
    if (this.outstanding === 0 && !this.done) {
      this.done = true
      this.s.pump()
    }
  }
}

function rejection(address: string, reply: Reply): RecipientRejection {
  const r: RecipientRejection = { address, code: reply.code, message: reply.message }
  if (reply.enhancedCode !== undefined) r.enhancedCode = reply.enhancedCode
  return r
}
