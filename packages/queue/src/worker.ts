import { randomUUID } from 'node:crypto'
import { createTransport, type Envelope, parseSmtpUrl, type SmtpTransportOptions } from '@mail/send'
import { DelayedError, type Job, Worker } from 'bullmq'
import { connect, redisOptions } from './connection.js'
import { checkKeys, QueueError } from './errors.js'
import { ALL, domainScope, queueKeys } from './keys.js'
import { backoffMs, judge, messageState, type Outcome, type Verdict } from './outcome.js'
import { QUEUE_HINTS, queueName } from './queue.js'
import { scripts } from './scripts.js'
import { type JobData, readStatus } from './status.js'
import type { MailWorker, MessageState, RateLimit, WorkerOptions } from './types.js'

const DEFAULT_CONCURRENCY = 16
const DEFAULT_SLOW_DOWN_MS = 60_000
const MAX_TAKEOVERS = 5
/** The window in which a scope without a limit counts its transactions (to halve on a 421). */
const DEFAULT_WINDOW_MS = 1000

/** A worker's transport settings: the user's, pooled, with retries left to the worker. */
function transportOptions(input: string | SmtpTransportOptions): {
  options: SmtpTransportOptions
  attempts: number
  backoffMs: number
} {
  const given = typeof input === 'string' ? parseSmtpUrl(input) : input
  if (typeof given !== 'object' || given === null) {
    throw new QueueError('transport', 'must be an smtp:// URL or transport options')
  }
  const attempts = given.retry?.attempts ?? 3
  const backoff = given.retry?.backoffMs ?? 1000
  if (!Number.isSafeInteger(attempts) || attempts < 1) {
    throw new QueueError('transport.retry.attempts', 'must be a whole number >= 1')
  }
  if (!Number.isFinite(backoff) || backoff < 0) {
    throw new QueueError('transport.retry.backoffMs', 'must be a number of milliseconds >= 0')
  }
  // Each job attempt is one transaction through the shared limiter: the job retries, the
  // transport does not.
  const options = { ...given, pool: given.pool ?? true, retry: { attempts: 1 } }
  return { options, attempts, backoffMs: backoff }
}

const WORKER_OPTIONS = [
  'connection',
  'name',
  'prefix',
  'transport',
  'concurrency',
  'rateLimit',
  'domainRateLimit',
  'limitMarginMs',
  'slowDownMs',
  'lockDurationMs',
  'stalledIntervalMs',
  'onSettled',
  'onError',
]
const TRANSPORT_HINT = "belongs in transport: { host, port, ... } or transport: 'smtp://...'"
const RETRY_HINT = 'belongs in transport: { retry: { attempts, backoffMs } }'
const WORKER_HINTS: Readonly<Record<string, string>> = {
  ...QUEUE_HINTS,
  limiter: 'use rateLimit: { messages, perMs } (shared by every worker, in a sliding window)',
  lockDuration: 'use lockDurationMs',
  stalledInterval: 'use stalledIntervalMs',
  attempts: RETRY_HINT,
  backoff: RETRY_HINT,
  retry: RETRY_HINT,
  host: TRANSPORT_HINT,
  port: TRANSPORT_HINT,
  auth: TRANSPORT_HINT,
  pool: TRANSPORT_HINT,
  url: TRANSPORT_HINT,
}
const LIMIT_HINTS: Readonly<Record<string, string>> = {
  max: 'use messages (BullMQ calls it max)',
  duration: 'use perMs (BullMQ calls it duration)',
}

function checkLimit(limit: RateLimit | undefined, field: string): RateLimit | undefined {
  if (limit === undefined) return undefined
  if (typeof limit === 'object' && limit !== null) {
    checkKeys(limit, ['messages', 'perMs'], `${field}.`, LIMIT_HINTS)
  }
  const ok =
    typeof limit === 'object' &&
    limit !== null &&
    Number.isSafeInteger(limit.messages) &&
    limit.messages >= 1 &&
    Number.isSafeInteger(limit.perMs) &&
    limit.perMs >= 1
  if (!ok) throw new QueueError(field, 'must be { messages, perMs }, whole numbers >= 1')
  return limit
}

function positive(value: number | undefined, field: string, fallback: number): number {
  if (value === undefined) return fallback
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new QueueError(field, 'must be a whole number >= 1')
  }
  return value
}

/**
 * Starts a worker: it takes messages from the queue, sends them through a pooled `@mail/send`
 * transport and records each recipient's outcome in Redis before the job completes. Any number
 * of workers, in any number of processes or machines, may share a queue and its limits.
 *
 * @example
 * const worker = createWorker({
 *   connection: 'redis://127.0.0.1:6379',
 *   transport: 'smtp://127.0.0.1:2525?security=none',
 *   rateLimit: { messages: 200, perMs: 1000 },
 * })
 * process.on('SIGTERM', () => worker.close())
 */
export function createWorker(options: WorkerOptions): MailWorker {
  if (typeof options !== 'object' || options === null) {
    throw new QueueError('options', 'must be { connection, transport, ... }')
  }
  checkKeys(options, WORKER_OPTIONS, '', WORKER_HINTS)
  const { name, prefix } = queueName(options)
  redisOptions(options.connection)
  const rateLimit = checkLimit(options.rateLimit, 'rateLimit')
  const domainRateLimit = checkLimit(options.domainRateLimit, 'domainRateLimit')
  const concurrency = positive(options.concurrency, 'concurrency', DEFAULT_CONCURRENCY)
  const slowDownMs = positive(options.slowDownMs, 'slowDownMs', DEFAULT_SLOW_DOWN_MS)
  const lockDuration = positive(options.lockDurationMs, 'lockDurationMs', 30_000)
  const stalledInterval = positive(options.stalledIntervalMs, 'stalledIntervalMs', 30_000)
  if (options.limitMarginMs !== undefined) {
    if (!Number.isSafeInteger(options.limitMarginMs) || options.limitMarginMs < 0) {
      throw new QueueError('limitMarginMs', 'must be a whole number >= 0')
    }
  }
  const retry = transportOptions(options.transport)
  const transport = createTransport(retry.options)
  const redis = connect(options.connection, (error) => options.onError?.(error))
  const keys = queueKeys(prefix, name)
  const run = scripts(redis)

  /**
   * A scope's limit and the window it is counted in (window only, limit 0, for a scope without
   * a limit, which counts its transactions only to halve them on a 421).
   */
  const scopeLimit = (scope: string): [number, number] => {
    const limit = scope === ALL ? rateLimit : domainRateLimit
    const other = scope === ALL ? domainRateLimit : rateLimit
    const perMs = limit?.perMs ?? other?.perMs ?? DEFAULT_WINDOW_MS
    return [limit?.messages ?? 0, perMs + (options.limitMarginMs ?? 0)]
  }

  /**
   * Waits until the transport and every recipient domain have room for one transaction, and
   * counts the attempt. The slot is the limiter sets and the member that counts it in each.
   */
  async function acquire(
    id: string,
    pending: readonly string[],
  ): Promise<{ zsets: string[]; member: string; attempt: number }> {
    const scopes = [ALL, ...new Set(pending.map(domainScope))]
    const zsets = scopes.map((s) => keys.limit(s))
    const slows = scopes.map((s) => keys.slow(s))
    const limits = scopes.map(scopeLimit)
    const member = randomUUID()
    for (;;) {
      const { wait, attempt } = await run.acquire(
        [...zsets, ...slows],
        keys.meta(id),
        member,
        limits,
      )
      if (wait <= 0) return { zsets, member, attempt }
      await new Promise((resolve) => setTimeout(resolve, wait))
    }
  }

  async function slowDown(verdict: Verdict): Promise<void> {
    const scopes = new Set(verdict.slowDown.addresses.map(domainScope))
    if (verdict.slowDown.all) scopes.add(ALL)
    for (const scope of scopes) {
      const [limit, window] = scopeLimit(scope)
      await run.slowDown(keys.slow(scope), keys.limit(scope), limit, window, slowDownMs)
    }
  }

  /**
   * Writes a transaction's outcomes in one step. Resolves with the number of transient failures
   * so far when some recipients are left for a retry; else (the bytes are then dropped) with 0.
   */
  function record(id: string, verdict: Verdict): Promise<number> {
    const json = (m: Map<string, Outcome>) =>
      new Map([...m].map(([address, o]) => [address, JSON.stringify(o)]))
    return run.record(
      {
        settled: keys.settled(id),
        last: keys.last(id),
        meta: keys.meta(id),
        inflight: keys.inflight(id),
        raw: keys.raw(id),
      },
      {
        started: verdict.started,
        error: verdict.error,
        settled: json(verdict.settled),
        transient: json(verdict.transient),
      },
    )
  }

  /** Retries ran out: the recipients still refused for now are refused for good. */
  async function giveUp(id: string): Promise<void> {
    const last = await redis.hgetall(keys.last(id))
    const m = redis.multi()
    for (const [address, stored] of Object.entries(last)) {
      const o = JSON.parse(stored) as Outcome
      m.hsetnx(keys.settled(id), address, JSON.stringify({ ...o, status: 'rejected' }))
    }
    m.del(keys.last(id), keys.raw(id))
    await m.exec()
  }

  /** Every recipient is settled: the job completes with the message's final state. */
  async function settle(job: Job<JobData>, state: () => MessageState): Promise<MessageState> {
    if (options.onSettled === undefined) return state()
    const status = await readStatus(redis, keys, job.id!, job.data, 'completed')
    options.onSettled(job.id!, status)
    return status.state
  }

  const unknown = JSON.stringify({
    status: 'unknown',
    response: 'the worker sending it stopped after the end of the data, before the reply',
  } satisfies Outcome)

  async function processJob(job: Job<JobData>, token?: string): Promise<MessageState> {
    const id = job.id!
    const { to } = job.data
    // Taken up again after its worker died: recipients whose end of data may have gone out are
    // settled as unknown, never resent.
    const { raw, settled } = await run.begin(
      {
        inflight: keys.inflight(id),
        settled: keys.settled(id),
        last: keys.last(id),
        raw: keys.raw(id),
      },
      unknown,
    )
    const stateOf = (outcomes: Map<string, string>) => () =>
      messageState(
        'completed',
        to.map((a) => ({ status: (JSON.parse(outcomes.get(a) ?? '{}') as Outcome).status })),
      )
    const pending = to.filter((address) => !settled.has(address))
    if (pending.length === 0) {
      await redis.del(keys.raw(id))
      return settle(job, stateOf(settled))
    }
    if (raw === null) throw new Error(`queue ${name}: the message of job ${id} is not in Redis`)

    const slot = await acquire(id, pending)
    const envelope: Envelope = { from: job.data.from, to: pending }
    if (job.data.smtputf8 === true) envelope.smtputf8 = true
    let lockLost = false
    let confirmed = false
    const beforeEnd = async () => {
      const held = await run.markInFlight(
        {
          lock: keys.lock(id),
          inflight: keys.inflight(id),
          token: token ?? '',
          attempt: slot.attempt,
        },
        slot,
        pending,
      )
      if (!held) {
        lockLost = true
        throw new Error(`queue ${name}: job ${id} was taken up by another worker`)
      }
      confirmed = true
    }
    let verdict: Verdict
    try {
      verdict = judge(pending, { info: await transport.sendRaw(envelope, raw, { beforeEnd }) })
    } catch (error) {
      // Another worker owns the job now: its outcome is theirs to record.
      if (lockLost) throw error
      verdict = judge(pending, { error })
    } finally {
      // Ended before its end of data (refused, or failed): it reached the server by now if ever.
      if (!confirmed) await run.confirm(slot)
    }
    const tries = await record(id, verdict)
    if (verdict.slowDown.all || verdict.slowDown.addresses.length > 0) await slowDown(verdict)
    if (tries > 0) {
      if (tries < retry.attempts) {
        await job.moveToDelayed(Date.now() + backoffMs(tries, retry.backoffMs), token)
        throw new DelayedError()
      }
      await giveUp(id)
    }
    for (const address of pending) {
      const o = verdict.settled.get(address) ?? { status: 'rejected' }
      settled.set(address, JSON.stringify(o))
    }
    return settle(job, stateOf(settled))
  }

  const worker = new Worker<JobData, MessageState>(name, processJob, {
    connection: redis,
    prefix,
    concurrency,
    lockDuration,
    stalledInterval,
    // A job whose worker died is taken over up to this many times (a re-run never resends a
    // settled or in-flight recipient); past that it fails, as a message that kills its workers.
    maxStalledCount: MAX_TAKEOVERS,
    autorun: true,
  })
  // Without an 'error' listener Node would throw BullMQ's errors at the process.
  worker.on('error', (error) => options.onError?.(error))
  worker.on('failed', (_job, error) => options.onError?.(error))

  return {
    async ready() {
      await worker.waitUntilReady()
    },
    async close() {
      await worker.close()
      await transport.close()
      await redis.quit().catch(() => redis.disconnect())
    },
  }
}
