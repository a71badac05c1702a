import type { Envelope, SendProgress, SendResult, StreamSource } from '@mail/smtp'
import { abortReason, SendError } from './errors.js'
import { describeFailure } from './failure.js'
import type { Outcome, PoolCommand, PoolEvent, SchedulerConfig } from './pool-events.js'
import { Scheduler } from './scheduler.js'

/**
 * Per-send options the pool hands to the client untouched. `beforeEnd` is awaited just before
 * the end of the data is written, `onProgress` hears of the octets the socket took (both
 * `SmtpClient.send` options).
 */
export interface PoolSendOptions {
  signal?: AbortSignal
  beforeEnd?: () => Promise<void>
  onProgress?: (progress: SendProgress) => void
}

/** The part of an `SmtpClient` the pool uses (the test transport's memory backend has it too). */
export interface PoolClient {
  send(envelope: Envelope, raw: Submission['body'], options?: PoolSendOptions): Promise<SendResult>
  readonly usable: boolean
  quit(): Promise<void>
  close(): void
}

/** Opens one ready (greeted, secured, authenticated) connection. */
export type Connector = (signal: AbortSignal) => Promise<PoolClient>

/**
 * What the pool sends: the wire envelope and the message, in memory or streamed. The pool keeps
 * a submission only until it settles; a streamed body holds its sources, not their octets.
 */
export interface Submission {
  envelope: Envelope
  body: string | Uint8Array | StreamSource
  /** False for a one-shot body: an attempt that began reading it is never repeated. */
  replayable: boolean
  /** For a one-shot body: whether an attempt began reading it (until then it may be retried). */
  bodyRead?: () => boolean
}

/** Clock and timers of the driver, injectable so tests control time. */
export interface PoolDriverOptions {
  now?: () => number
  setTimer?: (fire: () => void, ms: number) => unknown
  clearTimer?: (timer: unknown) => void
  /** Sees every event and the commands it led to (for tests and debugging). */
  trace?: (event: PoolEvent, commands: readonly PoolCommand[]) => void
}

interface Pending {
  submission: Submission
  options: PoolSendOptions | undefined
  resolve: (result: SendResult) => void
  reject: (error: unknown) => void
  onAbort: (() => void) | undefined
  result: SendResult | undefined
  error: unknown
}

interface Link {
  client: PoolClient | undefined
  opening: AbortController | undefined
  retired: boolean
  lost: boolean
}

/**
 * The thin I/O side of the pool: it feeds the {@link Scheduler} events from clients, promises,
 * signals and one timer, and carries out its commands. Every submitted message settles once.
 */
export class Pool {
  private readonly scheduler: Scheduler
  private readonly connector: Connector
  private readonly maxInFlight: number
  private readonly now: () => number
  private readonly setTimer: (fire: () => void, ms: number) => unknown
  private readonly clearTimer: (timer: unknown) => void
  private readonly trace: PoolDriverOptions['trace']
  private readonly pending = new Map<number, Pending>()
  private readonly links = new Map<number, Link>()
  private nextId = 1
  private timer: unknown
  private lastOpenError: unknown
  private closing: Promise<void> | undefined
  private drained: (() => void) | undefined
  private handling = false
  private backlog: PoolEvent[] = []

  constructor(config: SchedulerConfig, connector: Connector, options: PoolDriverOptions = {}) {
    this.scheduler = new Scheduler(config)
    this.connector = connector
    this.maxInFlight = config.maxConnections * config.maxInFlightPerConnection
    this.now = options.now ?? (() => performance.now())
    this.setTimer = options.setTimer ?? ((fire, ms) => setTimeout(fire, ms))
    this.clearTimer =
      options.clearTimer ?? ((t) => clearTimeout(t as ReturnType<typeof setTimeout>))
    this.trace = options.trace
  }

  /** Messages the pool can have on the wire at once; a good window for `sendMany`. */
  get capacity(): number {
    return this.maxInFlight
  }

  /** Queues a message; settles once it is delivered or has definitively failed. */
  submit(submission: Submission, options?: PoolSendOptions): Promise<SendResult> {
    if (this.closing !== undefined) {
      return Promise.reject(new SendError('closed', 'The transport is closed'))
    }
    const signal = options?.signal
    if (signal?.aborted) return Promise.reject(abortReason(signal))
    return new Promise<SendResult>((resolve, reject) => {
      const id = this.nextId++
      const entry: Pending = {
        submission,
        options,
        resolve,
        reject,
        onAbort: undefined,
        result: undefined,
        error: undefined,
      }
      if (signal !== undefined) {
        entry.onAbort = () => this.handle({ type: 'aborted', id })
        signal.addEventListener('abort', entry.onAbort, { once: true })
      }
      this.pending.set(id, entry)
      this.handle({ type: 'submitted', id, replayable: submission.replayable })
    })
  }

  /** Refuses new messages, lets queued ones finish, then ends every connection with QUIT. */
  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      this.drained = resolve
      this.handle({ type: 'close' })
    })
    return this.closing
  }

  private handle(event: PoolEvent): void {
    if (this.handling) {
      this.backlog.push(event)
      return
    }
    this.handling = true
    try {
      for (
        let next: PoolEvent | undefined = event;
        next !== undefined;
        next = this.backlog.shift()
      ) {
        const commands = this.scheduler.handle(next, this.now())
        this.trace?.(next, commands)
        for (const command of commands) this.run(command)
      }
    } finally {
      this.handling = false
    }
  }

  private run(command: PoolCommand): void {
    switch (command.type) {
      case 'open':
        this.open(command.connection)
        break
      case 'dispatch':
        this.dispatch(command.id, command.connection)
        break
      case 'retire':
        this.retire(command.connection)
        break
      case 'settle':
        this.settle(command.id, command.outcome)
        break
      case 'wake':
        this.wake(command.at)
        break
      case 'drained':
        this.drained?.()
        break
    }
  }

  private open(connection: number): void {
    const controller = new AbortController()
    const link: Link = { client: undefined, opening: controller, retired: false, lost: false }
    this.links.set(connection, link)
    Promise.resolve()
      .then(() => this.connector(controller.signal))
      .then(
        (client) => {
          link.opening = undefined
          link.client = client
          if (link.retired) {
            client.close()
            this.closed(connection)
          } else this.handle({ type: 'opened', connection })
        },
        (error: unknown) => {
          link.opening = undefined
          if (link.retired) return this.closed(connection)
          this.links.delete(connection)
          this.lastOpenError = error
          this.handle({ type: 'openFailed', connection, failure: describeFailure(error) })
        },
      )
  }

  private dispatch(id: number, connection: number): void {
    const entry = this.pending.get(id)!
    const link = this.links.get(connection)!
    const client = link.client!
    const { envelope, body } = entry.submission
    client.send(envelope, body, entry.options).then(
      (result) => {
        entry.result = result
        this.handle({ type: 'succeeded', id })
      },
      (error: unknown) => {
        entry.error = error
        const failure = describeFailure(error)
        const unread = entry.submission.bodyRead?.() === false
        // The first failure of a dead connection reports it gone: nothing more goes to it.
        if (!client.usable && !link.lost && !link.retired) {
          link.lost = true
          client.close()
          this.links.delete(connection)
          this.handle({ type: 'failed', id, failure, connectionLost: true, unread })
        } else this.handle({ type: 'failed', id, failure, unread })
      },
    )
  }

  private retire(connection: number): void {
    const link = this.links.get(connection)
    if (link === undefined) return
    link.retired = true
    const client = link.client
    if (client === undefined) {
      link.opening?.abort(new SendError('closed', 'The transport is closed'))
      return
    }
    const quit = client.usable ? client.quit() : Promise.resolve(client.close())
    quit.catch(() => client.close()).then(() => this.closed(connection))
  }

  private closed(connection: number): void {
    this.links.delete(connection)
    this.handle({ type: 'closed', connection })
  }

  private settle(id: number, outcome: Outcome): void {
    const entry = this.pending.get(id)!
    this.pending.delete(id)
    const signal = entry.options?.signal
    if (entry.onAbort !== undefined) signal!.removeEventListener('abort', entry.onAbort)
    if (outcome === 'sent') entry.resolve(entry.result!)
    else entry.reject(this.failure(entry, outcome))
  }

  /** The error a message that did not go rejects with. */
  private failure(entry: Pending, outcome: Exclude<Outcome, 'sent'>): unknown {
    switch (outcome) {
      case 'failed':
        return entry.error
      case 'aborted':
        return abortReason(entry.options!.signal!)
      case 'unreachable':
        return this.lastOpenError
      case 'delivery-unknown':
        return new SendError(
          'delivery-unknown',
          'Unknown whether the message was delivered: the connection failed after the message ' +
            'was sent and before the server replied. It was not retried, to avoid a duplicate.',
          { cause: entry.error },
        )
    }
  }

  private wake(at: number | undefined): void {
    if (this.timer !== undefined) this.clearTimer(this.timer)
    this.timer = undefined
    if (at === undefined) return
    this.timer = this.setTimer(
      () => {
        this.timer = undefined
        this.handle({ type: 'tick' })
      },
      Math.max(0, Math.ceil(at - this.now())),
    )
  }
}
