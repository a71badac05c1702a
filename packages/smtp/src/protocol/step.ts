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
export type StepKind =
  | typeof MAIL
  | typeof RCPT
  | typeof DATA
  | typeof END
  | typeof RSET
  | typeof BDAT_END
  | typeof OTHER

/** What kind of reply a step awaits, and how errors name it. */
export interface StepSpec {
  readonly kind: StepKind
  readonly stage: SmtpStage
  /** The command verb, for errors: 'MAIL FROM', 'RCPT TO', 'DATA', 'BDAT'... */
  readonly command: string
  readonly timeout: TimeoutKind
}

/** The common steps of a transaction, made once. */
export const STEPS = {
  rset: { kind: RSET, stage: 'mail', command: 'RSET', timeout: 'command' },
  mail: { kind: MAIL, stage: 'mail', command: 'MAIL FROM', timeout: 'command' },
  rcpt: { kind: RCPT, stage: 'rcpt', command: 'RCPT TO', timeout: 'command' },
  data: { kind: DATA, stage: 'data', command: 'DATA', timeout: 'dataInit' },
  dataEnd: { kind: END, stage: 'message', command: 'DATA', timeout: 'data' },
  bdatEnd: { kind: BDAT_END, stage: 'message', command: 'BDAT', timeout: 'data' },
} as const satisfies Record<string, StepSpec>

/** Whoever awaits the step's reply (a transaction). */
export interface StepOwner {
  answer(step: Step, reply: Reply): void
}

/** What a {@link Step} is made of. */
export interface StepInit {
  owner: StepOwner
  spec: StepSpec
  /** The recipient's position, for RCPT. */
  index?: number
  /** The handler of an OTHER step. */
  on?: (reply: Reply) => void
}

/**
 * One awaited reply of a transaction.
 *
 * @example
 * session.send(plan.mail, new Step({ owner: tx, spec: STEPS.mail }))
 * session.send(rcpt.line, new Step({ owner: tx, spec: STEPS.rcpt, index: 2 }))
 */
export class Step implements Expectation {
  readonly owner: StepOwner
  readonly spec: StepSpec
  readonly index: number
  readonly on: ((reply: Reply) => void) | undefined

  constructor(init: StepInit) {
    this.owner = init.owner
    this.spec = init.spec
    this.index = init.index ?? 0
    this.on = init.on
  }

  get kind(): StepKind {
    return this.spec.kind
  }

  get stage(): SmtpStage {
    return this.spec.stage
  }

  get command(): string {
    return this.spec.command
  }

  get timeout(): TimeoutKind {
    return this.spec.timeout
  }

  get label(): string {
    return this.spec.stage === 'message' ? 'the end of the message data' : this.spec.command
  }

  handle(reply: Reply): void {
    this.owner.answer(this, reply)
  }
}
