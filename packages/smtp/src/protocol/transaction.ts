import type { SmtpStage } from '../errors.js'
import { replyError, SmtpError } from '../errors.js'
import { BdatChunks, BdatStream, dataBody, dataBodyNow, dataContent } from './body.js'
import { command } from './commands.js'
import type { OperationSession } from './conversation.js'
import type { SendProgress, SendResult } from './envelope.js'
import type { MessageSource } from './message.js'
import {
  committed,
  DONE,
  ENDING,
  MAIL_ACCEPTED,
  mailAccepted,
  OPEN,
  type Phase,
  SETTLED,
  SETTLED_UNCOMMITTED,
  WAITING,
} from './phase.js'
import type { Plan } from './plan.js'
import { ContentPump, type PumpOwner } from './pump.js'
import { Recipients } from './recipients.js'
import { positive, type Reply } from './reply-parser.js'
import {
  BDAT_END,
  DATA,
  END,
  MAIL,
  OTHER,
  RCPT,
  RSET,
  STEPS,
  Step,
  type StepOwner,
  type StepSpec,
} from './step.js'
import { type Body, type ContentReader, memoryReader } from './stream.js'
import type { Ending, Operation, TimeoutKind } from './types.js'
import { DATA_END } from './wire.js'

const ignore = () => {}
// Pumped content goes in BDAT chunks of at least this size (one reply each), or the session's
// chunk size when smaller; an in-memory message sent with progress reports is read in slices of it.
const STREAM_CHUNK = 256 * 1024

/** What a {@link Transaction} is made of. */
export interface TransactionInit {
  session: OperationSession
  plan: Plan
  message: Body
  resolve(result: SendResult): void
  reject(error: SmtpError): void
  /** Awaited before the end of the message data is written (see `SmtpSendOptions.beforeEnd`). */
  beforeEnd?: (() => Promise<void>) | undefined
  /** Hears of the octets the socket took (see `SmtpSendOptions.onProgress`). */
  onProgress?: ((progress: SendProgress) => void) | undefined
}

/**
 * One mail transaction (RFC 5321 3.3): MAIL, RCPT per recipient, then DATA or BDAT. With
 * PIPELINING (RFC 2920) every command up to DATA, or the whole BDAT transaction, is written at
 * once and the replies are matched in order; without it, one command at a time.
 *
 * A streamed message (and one whose progress is reported) is pumped: its content is read and
 * written only as fast as the socket drains, once the server is ready for it (after DATA's 354;
 * for BDAT once the recipients' replies are in), so a refused transaction reads nothing.
 */
export class Transaction implements Operation, StepOwner, PumpOwner {
  private phase: Phase = WAITING
  private readonly s: OperationSession
  private readonly plan: Plan
  private readonly body: Body
  private readonly resolve: (result: SendResult) => void
  private readonly reject: (error: SmtpError) => void
  private readonly beforeEnd: (() => Promise<void>) | undefined
  private readonly onProgress: ((progress: SendProgress) => void) | undefined
  private readonly pipelined: boolean
  private readonly recipients: Recipients
  /** Replies still due. */
  private outstanding = 0
  private chunks: BdatChunks | undefined
  /** The content is pumped rather than written at once. */
  private readonly pumped: boolean
  private pump: ContentPump | undefined

  constructor(init: TransactionInit) {
    this.s = init.session
    this.plan = init.plan
    this.body = init.message
    this.resolve = init.resolve
    this.reject = init.reject
    this.beforeEnd = init.beforeEnd
    this.onProgress = init.onProgress
    this.pipelined = init.session.pipelining
    this.recipients = new Recipients(init.plan.rcpts.length)
    this.pumped = init.message.streamed === true || init.onProgress !== undefined
  }

  /** The in-memory message (only for a transaction that is not pumped). */
  private get message(): MessageSource {
    return this.body as MessageSource
  }

  get committed(): boolean {
    return committed(this.phase)
  }

  get done(): boolean {
    return this.phase === DONE
  }

  get openBdat(): boolean {
    return this.plan.bdat && this.phase !== DONE
  }

  start(previous: Operation | undefined): void {
    this.phase = OPEN
    // A refused transaction may have left MAIL state open, and after a pipelined BDAT
    // transaction whose replies are still due the state is unknown: RSET first.
    if (this.s.takeReset() || previous?.openBdat === true) {
      this.s.send(command.rset(), this.step(STEPS.rset))
      // Without PIPELINING, MAIL waits for the RSET reply.
      if (!this.pipelined) return
    }
    this.begin()
  }

  private begin(): void {
    this.s.send(this.plan.mail, this.step(STEPS.mail))
    if (!this.pipelined) return
    for (let i = 0; i < this.plan.rcpts.length; i++) this.sendRcpt(i)
    if (!this.plan.bdat) this.sendData()
    else if (!this.pumped) this.sendBdat()
  }

  private step(spec: StepSpec, index = 0): Step {
    this.outstanding++
    return new Step({ owner: this, spec, index })
  }

  private other(
    stage: SmtpStage,
    verb: string,
    timeout: TimeoutKind,
    on: (reply: Reply) => void,
  ): Step {
    this.outstanding++
    return new Step({ owner: this, spec: { kind: OTHER, stage, command: verb, timeout }, on })
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
        if (!positive(reply)) this.refused(replyError('RSET was refused', reply, 'mail', 'RSET'))
        else if (!this.pipelined) this.begin()
        break
      case BDAT_END:
        this.onBdatEnd(reply)
        break
      default:
        step.on!(reply)
    }
    this.finishIfIdle()
  }

  private finishIfIdle(): void {
    if (this.outstanding > 0 || this.phase.name !== 'settled') return
    this.phase = DONE
    this.s.progressed()
  }

  private onMail(reply: Reply): void {
    if (!positive(reply)) {
      this.refused(replyError('MAIL FROM was refused', reply, 'mail', 'MAIL FROM'))
      return
    }
    const p = this.phase
    if (p.name === 'ended') this.phase = { name: 'ended', mailAccepted: true, endAt: p.endAt }
    else if (p.name === 'open') {
      this.phase = MAIL_ACCEPTED
      if (!this.pipelined) this.sendRcpt(0)
    }
  }

  private sendRcpt(i: number): void {
    this.s.send(this.plan.rcpts[i]!.line, this.step(STEPS.rcpt, i))
  }

  private onRcpt(i: number, reply: Reply): void {
    this.recipients.answered(this.plan.rcpts[i]!.address, reply)
    if (this.phase.name !== 'open') return
    const last = i + 1 === this.plan.rcpts.length
    if (this.pipelined) {
      // Pumped BDAT content waits for the recipients, as DATA's waits for 354.
      if (last && this.plan.bdat && this.pumped) this.afterRecipients()
      return
    }
    if (!last) this.sendRcpt(i + 1)
    else this.afterRecipients()
  }

  private afterRecipients(): void {
    if (this.recipients.allRefused) this.refused(this.allRejected())
    else if (!this.plan.bdat) this.sendData()
    else if (this.pumped) this.startPump()
    else this.sendBdat()
  }

  private sendData(): void {
    this.s.send(command.data(), this.step(STEPS.data))
  }

  private onData(reply: Reply): void {
    const settled = this.phase.name === 'settled'
    if (reply.code !== 354) {
      // RFC 2920 3.1: with every RCPT refused, DATA's refusal is expected; report the RCPTs.
      if (!settled) {
        this.refused(
          this.recipients.accepted.length === 0 && this.recipients.heard
            ? this.allRejected()
            : replyError('DATA was refused', reply, 'data', 'DATA'),
        )
      }
      return
    }
    if (this.recipients.accepted.length === 0) {
      // RFC 2920 3.1: a 354 after every RCPT failed still needs an (empty) end of data, which
      // goes before anything queued behind this transaction.
      this.s.send(DATA_END, this.other('message', 'DATA', 'data', ignore))
      this.refused(this.allRejected())
      this.phase = SETTLED
      return
    }
    if (settled) {
      // Recipients were accepted for a transaction that already failed (its RSET was refused):
      // the end of data would deliver it, and in DATA only closing the connection abandons it.
      this.s.lost(abandoning())
      return
    }
    if (this.pumped) {
      this.startPump()
      return
    }
    const size = this.s.config.chunkSize
    if (this.beforeEnd !== undefined) {
      this.s.sendRaw(dataContent(this.message, size))
      this.logContent()
      this.ending(() => {
        this.s.sendRaw(DATA_END)
        this.dataEnded()
      })
      return
    }
    if (this.message.size <= size) for (const c of dataBodyNow(this.message)) this.s.sendRaw(c)
    else this.s.sendRaw(dataBody(this.message, size))
    this.logContent()
    this.dataEnded()
    this.s.progressed()
  }

  private logContent(octets = this.message.size): void {
    if (this.s.logging) this.s.log('client', `<${octets} octets of message content>`)
  }

  /** DATA's end was just queued: await its reply. */
  private dataEnded(): void {
    this.s.expect(this.step(STEPS.dataEnd))
    if (this.s.logging) this.s.log('client', '.')
    this.markEnded()
  }

  /** The end of the message data was just queued (its reply is awaited). */
  private markEnded(): void {
    this.phase = { name: 'ended', mailAccepted: mailAccepted(this.phase), endAt: this.s.queued }
  }

  /** Runs the caller's `beforeEnd`; once it resolves, `end` writes the end of the data. */
  private ending(end: () => void): void {
    this.phase = ENDING
    let waiting: Promise<void>
    try {
      waiting = Promise.resolve(this.beforeEnd!())
    } catch (e) {
      waiting = Promise.reject(e)
    }
    waiting.then(
      () => {
        // The connection may have failed (or the send been aborted) meanwhile.
        if (this.phase !== ENDING) return
        end()
        this.s.progressed()
        this.s.flush()
      },
      (e: unknown) => {
        if (this.phase === ENDING) this.beforeEndFailed(e)
      },
    )
  }

  /** `beforeEnd` failed: the end of the data is never written, so nothing can be delivered. */
  private beforeEndFailed(cause: unknown): void {
    const reason = cause instanceof Error ? `: ${cause.message}` : ''
    this.abandon(
      new SmtpError(`The message was abandoned before its end: beforeEnd failed${reason}`, {
        stage: 'data',
        command: this.plan.bdat ? 'BDAT' : 'DATA',
        transient: true,
        cause,
      }),
    )
  }

  /** The content cannot be completed: its end is never written, so nothing is delivered. */
  private abandon(error: SmtpError): void {
    this.pump?.stop(error)
    if (this.plan.bdat) {
      // RFC 3030 2: RSET discards the chunks received so far; the connection stays usable.
      this.refused(error)
      this.s.flush()
      return
    }
    // RFC 5321 4.1.1.4: in DATA everything up to the end is content; only closing the connection
    // abandons the message.
    this.phase = DONE
    this.reject(error)
    this.s.lost(abandoning(error))
  }

  private sendBdat(): void {
    const log = (line: string) => {
      if (this.s.logging) this.s.log('client', line)
    }
    const hook = this.beforeEnd !== undefined
    const chunks = new BdatChunks(this.message, this.s.config.chunkSize, log, hook)
    this.chunks = chunks
    if (!this.pipelined) {
      this.nextChunk()
      return
    }
    if (!hook && chunks.count === 1) {
      // The usual case, written at once: one step, no closures.
      this.s.expect(this.step(STEPS.bdatEnd))
      this.s.sendRaw(chunks.all())
      this.markEnded()
      return
    }
    // Every chunk now, but the end when `beforeEnd` must run first.
    const now = hook ? chunks.count - 1 : chunks.count
    for (let i = 0; i < now; i++) this.s.expect(this.chunkStep(i))
    this.s.sendRaw(chunks.upTo(now))
    if (!hook) this.markEnded()
  }

  // --- Pumped content ---

  private startPump(): void {
    const s = this.s
    const body = this.body
    const log = (line: string) => {
      if (s.logging) s.log('client', line)
    }
    const chunk = Math.min(STREAM_CHUNK, s.config.chunkSize)
    this.pump = new ContentPump({
      session: s,
      owner: this,
      open: (): ContentReader => (body.streamed === true ? body.open() : memoryReader(body, chunk)),
      bdat: this.plan.bdat ? new BdatStream(chunk, log) : undefined,
      pipelined: this.pipelined,
      endApart: this.beforeEnd !== undefined,
      sevenBit: this.plan.sevenBit === true,
      crlf: body.streamed === true && body.crlf,
      total: body.size,
      onProgress: this.onProgress,
    })
    this.pump.start()
  }

  get live(): boolean {
    return this.phase.name === 'open'
  }

  get finishing(): boolean {
    return this.phase.name === 'ending' || this.phase.name === 'ended'
  }

  chunkWritten(last: boolean): void {
    if (last) this.s.expect(this.step(STEPS.bdatEnd))
    else this.s.expect(this.other('data', 'BDAT', 'data', (reply) => this.onPumpedChunk(reply)))
  }

  private onPumpedChunk(reply: Reply): void {
    if (!positive(reply)) this.refused(replyError('BDAT was refused', reply, 'data', 'BDAT'))
    else this.pump?.chunkAccepted()
  }

  contentWritten(octets: number, endWritten: boolean): void {
    this.logContent(octets)
    if (endWritten) this.markEnded()
    else {
      const end = () => {
        if (this.plan.bdat) {
          this.s.send(command.bdat(0, true), this.step(STEPS.bdatEnd))
          this.markEnded()
        } else {
          this.s.sendRaw(DATA_END)
          this.dataEnded()
        }
      }
      if (this.beforeEnd !== undefined) {
        this.ending(end)
        return
      }
      end()
    }
    this.s.progressed()
    this.s.flush()
  }

  sourceFailed(error: SmtpError): void {
    this.abandon(error)
  }

  private chunkStep(i: number): Step {
    const last = i === this.chunks!.count - 1
    return this.other(last ? 'message' : 'data', 'BDAT', 'data', (reply) => this.onChunk(i, reply))
  }

  /** Writes the next BDAT chunk with its awaited reply. */
  private nextChunk(): void {
    const chunks = this.chunks!
    const i = chunks.sent
    this.s.sendRaw(chunks.next())
    this.s.expect(this.chunkStep(i))
    if (i === chunks.count - 1) this.markEnded()
  }

  private onChunk(i: number, reply: Reply): void {
    const chunks = this.chunks!
    if (i === chunks.count - 1) {
      this.onBdatEnd(reply)
    } else if (this.recipients.allRefused) {
      this.refused(this.allRejected())
    } else if (!positive(reply)) {
      this.refused(replyError('BDAT was refused', reply, 'data', 'BDAT'))
    } else if (this.phase.name === 'open') {
      if (this.beforeEnd !== undefined && i === chunks.count - 2)
        this.ending(() => this.nextChunk())
      else if (!this.pipelined) this.nextChunk()
    }
  }

  /** The reply to BDAT LAST: with every RCPT refused, its refusal reports the recipients. */
  private onBdatEnd(reply: Reply): void {
    if (this.recipients.allRefused) {
      this.refused(this.allRejected())
      return
    }
    this.onEnd(reply, 'BDAT')
  }

  private onEnd(reply: Reply, verb: string): void {
    if (this.phase.name !== 'ended') return
    if (!this.s.config.lmtp) {
      if (!positive(reply)) {
        this.refused(replyError('The message was refused', reply, 'message', verb))
        return
      }
      this.succeed(this.recipients.accepted, reply)
      return
    }
    // RFC 2033 4.2: one reply per accepted recipient, in RCPT order.
    const delivered: string[] = []
    const recipients = [...this.recipients.accepted]
    const onRecipient = (i: number) => (r: Reply) => {
      if (positive(r)) delivered.push(recipients[i]!)
      else this.recipients.refused(recipients[i]!, r)
      if (i < recipients.length - 1) return
      if (delivered.length === 0) return this.refused(this.allRejected('message'))
      this.succeed(delivered, r)
    }
    for (let i = recipients.length - 1; i >= 1; i--) {
      this.s.expectNext(this.other('message', verb, 'data', onRecipient(i)))
    }
    onRecipient(0)(reply)
  }

  private succeed(accepted: string[], reply: Reply): void {
    this.pump?.complete()
    this.phase = SETTLED
    this.resolve({ accepted, rejected: this.recipients.rejected, response: reply.raw })
  }

  private allRejected(stage: SmtpStage = 'rcpt'): SmtpError {
    return this.recipients.error(
      stage,
      stage === 'rcpt' ? 'RCPT TO' : this.plan.bdat ? 'BDAT' : 'DATA',
    )
  }

  /** A reply refused the transaction: this call fails; the connection stays usable. */
  private refused(error: SmtpError): void {
    const p = this.phase
    if (p.name === 'settled' || p.name === 'done') return
    this.pump?.stop(error)
    // A refused transaction can leave the server in MAIL state (RFC 5321 4.1.1.5): RSET first.
    // After a DATA transaction's end its outcome is final; after BDAT's, RSET to be sure.
    if (mailAccepted(p) && (p.name !== 'ended' || this.plan.bdat)) this.s.leftOpen()
    this.phase = p.name === 'ended' ? SETTLED : SETTLED_UNCOMMITTED
    this.reject(error)
    this.finishIfIdle()
  }

  interrupted(error: SmtpError, ending: Ending): void {
    const p = this.phase
    if (p.name === 'done') return
    this.phase = DONE
    this.pump?.stop(error)
    if (p.name === 'settled') return
    if (p.name === 'ending' || (p.name === 'open' && this.pump !== undefined)) {
      // No reply was awaited: the error is about this transaction's data, which never ended.
      error = new SmtpError(error.message, {
        stage: 'data',
        command: this.plan.bdat ? 'BDAT' : 'DATA',
        transient: true,
        cause: error.cause,
      })
    } else if (ending === 'lost' && p.name === 'ended' && this.s.handedUpTo(p.endAt)) {
      error = new SmtpError(`${error.message}; the message was sent and may have been delivered`, {
        stage: error.stage,
        command: error.command,
        transient: true,
        deliveryUnknown: true,
        cause: error.cause,
      })
    }
    this.reject(error)
  }
}

function abandoning(cause?: SmtpError): SmtpError {
  return new SmtpError('The connection was closed to abandon a message in the middle of its data', {
    stage: 'data',
    transient: true,
    cause,
  })
}
