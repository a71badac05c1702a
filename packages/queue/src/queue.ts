import { createHash, randomUUID } from 'node:crypto'
import { buildMessageStream, type MessageInput, MimeError } from '@mail/mime'
import { Queue, QueueEvents } from 'bullmq'
import { connect, redisOptions } from './connection.js'
import { checkKeys, QueueError } from './errors.js'
import { queueKeys } from './keys.js'
import { scripts } from './scripts.js'
import { type JobData, readStatus } from './status.js'
import type {
  EnqueueOptions,
  EnqueueResult,
  MailQueue,
  MessageStatus,
  QueueCounts,
  QueueOptions,
} from './types.js'

/** The BullMQ job name of every message. */
export const JOB_NAME = 'mail'
const MAX_PRIORITY = 2_097_152

/** The queue's name and key prefix, checked. */
export function queueName(options: { name?: string; prefix?: string }): {
  name: string
  prefix: string
} {
  const name = options.name ?? 'mail'
  const prefix = options.prefix ?? 'bull'
  for (const [field, value] of [
    ['name', name],
    ['prefix', prefix],
  ] as const) {
    if (typeof value !== 'string' || value === '' || value.includes(':')) {
      throw new QueueError(field, 'must be a non-empty string without ":"')
    }
  }
  return { name, prefix }
}

/**
 * Opens a queue of messages in Redis. Nothing connects until the first call.
 *
 * @example
 * const queue = createQueue({ connection: 'redis://127.0.0.1:6379' })
 * const { id } = await queue.enqueue({ from: 'a@example.com', to: 'b@example.org', text: 'Hi' })
 * console.log(await queue.status(id)) // { state: 'waiting', attempts: 0, ... }
 */
export function createQueue(options: QueueOptions): MailQueue {
  if (typeof options !== 'object' || options === null) {
    throw new QueueError('options', 'must be { connection, name? }')
  }
  checkKeys(options, QUEUE_OPTIONS, '', QUEUE_HINTS)
  const { name, prefix } = queueName(options)
  redisOptions(options.connection) // a bad connection fails here, not at the first call
  const redis = connect(options.connection)
  const bull = new Queue<JobData>(name, { connection: redis, prefix })
  const keys = queueKeys(prefix, name)
  const run = scripts(redis)

  async function enqueue(message: MessageInput, opts: EnqueueOptions = {}): Promise<EnqueueResult> {
    const jobOptions = checkEnqueueOptions(opts)
    const { bytes, data } = await buildAndRead(message)
    const id =
      opts.idempotencyKey === undefined
        ? randomUUID()
        : `k-${createHash('sha256').update(opts.idempotencyKey).digest('hex').slice(0, 40)}`
    const first = await run.store(keys.meta(id), keys.raw(id), JSON.stringify(data), bytes)
    if (first === null) {
      await bull.add(JOB_NAME, data, { ...jobOptions, ...UNEXPECTED_FAILURES, jobId: id })
      return { id }
    }
    // An idempotency key seen before: the first message stands. Its job is added again only
    // when an enqueue died between storing the message and adding its job.
    if ((await bull.getJob(id)) === undefined && (await redis.exists(keys.raw(id))) === 1) {
      const firstData = JSON.parse(first) as JobData
      await bull.add(JOB_NAME, firstData, { ...jobOptions, ...UNEXPECTED_FAILURES, jobId: id })
    }
    return { id }
  }

  async function status(id: string): Promise<MessageStatus | null> {
    if (typeof id !== 'string' || id === '') return null
    const job = await bull.getJob(id)
    if (job === undefined) return null
    const state = await job.getState()
    return readStatus(redis, keys, id, job.data, state, job.failedReason)
  }

  async function counts(): Promise<QueueCounts> {
    const c = await bull.getJobCounts(
      'waiting',
      'prioritized',
      'waiting-children',
      'delayed',
      'active',
      'completed',
      'failed',
    )
    return {
      waiting: (c.waiting ?? 0) + (c.prioritized ?? 0) + (c['waiting-children'] ?? 0),
      delayed: c.delayed ?? 0,
      active: c.active ?? 0,
      completed: c.completed ?? 0,
      failed: c.failed ?? 0,
    }
  }

  async function drained(opts: { timeoutMs?: number } = {}): Promise<void> {
    checkKeys(opts, ['timeoutMs'], 'options.', { timeout: 'use timeoutMs' })
    const { timeoutMs } = opts
    if (timeoutMs !== undefined && (!Number.isFinite(timeoutMs) || timeoutMs < 0)) {
      throw new QueueError('options.timeoutMs', 'must be a number of milliseconds >= 0')
    }
    const idle = async () => {
      const c = await counts()
      return c.waiting + c.delayed + c.active === 0
    }
    // Checked at once, then again on every job event of the queue (a signal), and once a second
    // besides in case an event was missed while the events connection reconnected.
    const eventsRedis = connect(options.connection)
    const events = new QueueEvents(name, { connection: eventsRedis, prefix })
    try {
      await new Promise<void>((resolve, reject) => {
        let done = false
        const finish = (error?: unknown) => {
          if (done) return
          done = true
          clearTimeout(timer)
          clearInterval(tick)
          for (const e of EVENTS) events.off(e, check)
          if (error === undefined) resolve()
          else reject(error)
        }
        const check = () => {
          idle().then((yes) => yes && finish(), finish)
        }
        // The time counts from the call, connecting included.
        const timer =
          timeoutMs === undefined
            ? undefined
            : setTimeout(
                () => finish(new Error(`queue ${name}: not drained within ${timeoutMs} ms`)),
                timeoutMs,
              )
        const tick = setInterval(check, 1000)
        check()
        events.waitUntilReady().then(() => {
          if (done) return
          for (const e of EVENTS) events.on(e, check)
          check() // events before the subscription started are not replayed
        }, finish)
      })
    } finally {
      // Not awaited: closing waits for a connection that may never come (Redis unreachable).
      events.close().catch(() => {})
      eventsRedis.disconnect()
    }
  }

  return {
    enqueue,
    status,
    counts,
    drained,
    async close() {
      await bull.close()
      await redis.quit().catch(() => redis.disconnect())
    },
  }
}

/**
 * A job that fails for a reason other than its recipients' outcomes (Redis went away, a worker
 * lost its lock) is run again a few times; a run never resends a settled or in-flight recipient.
 * The SMTP retries are the worker's own (the transport's `retry` option).
 */
const UNEXPECTED_FAILURES = { attempts: 3, backoff: { type: 'exponential', delay: 1000 } }

const EVENTS = ['completed', 'failed', 'removed', 'drained', 'delayed'] as const

const QUEUE_OPTIONS = ['connection', 'name', 'prefix']
/** The options every queue and worker takes, as BullMQ spells them. */
export const QUEUE_HINTS: Readonly<Record<string, string>> = {
  redis: "use connection: 'redis://host:6379'",
  queueName: 'use name',
}
const ENQUEUE_OPTIONS = ['idempotencyKey', 'delayMs', 'priority']
const ENQUEUE_HINTS: Readonly<Record<string, string>> = {
  delay: 'use delayMs',
  jobId: 'use idempotencyKey (the same key gives the same job)',
  attempts:
    "retries follow the worker's transport retry option: { retry: { attempts, backoffMs } }",
  backoff: "retries follow the worker's transport retry option: { retry: { attempts, backoffMs } }",
}

function checkEnqueueOptions(opts: EnqueueOptions): { delay?: number; priority?: number } {
  if (typeof opts !== 'object' || opts === null) {
    throw new QueueError('options', 'must be { idempotencyKey?, delayMs?, priority? }')
  }
  checkKeys(opts, ENQUEUE_OPTIONS, 'options.', ENQUEUE_HINTS)
  const out: { delay?: number; priority?: number } = {}
  if (opts.idempotencyKey !== undefined) {
    if (typeof opts.idempotencyKey !== 'string' || opts.idempotencyKey === '') {
      throw new QueueError('options.idempotencyKey', 'must be a non-empty string')
    }
  }
  if (opts.delayMs !== undefined) {
    if (!Number.isSafeInteger(opts.delayMs) || opts.delayMs < 0) {
      throw new QueueError('options.delayMs', 'must be a whole number of milliseconds >= 0')
    }
    if (opts.delayMs > 0) out.delay = opts.delayMs
  }
  if (opts.priority !== undefined) {
    if (!Number.isSafeInteger(opts.priority) || opts.priority < 1 || opts.priority > MAX_PRIORITY) {
      throw new QueueError('options.priority', `must be a whole number from 1 to ${MAX_PRIORITY}`)
    }
    out.priority = opts.priority
  }
  return out
}

/**
 * Validates and builds the message once (a MimeError before anything is stored), reading its
 * Blob and stream attachments, so every attempt sends the same bytes, Message-ID and Date.
 */
async function buildAndRead(message: MessageInput): Promise<{ bytes: Buffer; data: JobData }> {
  const built = buildMessageStream(message)
  if (built.envelope.to.length === 0) {
    throw new MimeError('to', 'is empty: a queued message needs a recipient in to, cc or bcc')
  }
  const chunks: Uint8Array[] = []
  const reader = built.stream().getReader()
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    chunks.push(value)
  }
  const data: JobData = {
    from: built.envelope.from,
    to: built.envelope.to,
    messageId: built.messageId,
  }
  if (built.smtputf8) data.smtputf8 = true
  return { bytes: Buffer.concat(chunks), data }
}
