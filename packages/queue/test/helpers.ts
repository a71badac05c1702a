import { randomUUID } from 'node:crypto'
import type { MessageInput } from '@mail/mime'
import {
  type RedisServer,
  type SinkOptions,
  type SmtpSink,
  startRedis,
  startSmtpSink,
} from '@mail/testkit'
import { afterAll, afterEach, beforeAll } from 'vitest'
import {
  createQueue,
  createWorker,
  type MailQueue,
  type MailWorker,
  type WorkerOptions,
} from '../src/index.js'

/** One redis-server for the test file (started before its tests, stopped after). */
export function useRedis(): { readonly redis: RedisServer } {
  const holder = {} as { redis: RedisServer }
  beforeAll(async () => {
    holder.redis = await startRedis()
  })
  afterAll(() => holder.redis?.stop())
  return holder
}

/** Queues, workers and sinks opened by a test, closed after it whatever happened. */
export function useCleanup(): {
  add<T extends { close?(): Promise<void>; stop?(): Promise<void> }>(x: T): T
} {
  const open: (() => Promise<void>)[] = []
  afterEach(async () => {
    for (const close of open.reverse()) await close().catch(() => {})
    open.length = 0
  })
  return {
    add(x) {
      open.push(() => (x.close ?? x.stop)!.call(x))
      return x
    },
  }
}

/** A queue name no other test uses, so tests share one Redis without seeing each other. */
export function freshName(): string {
  return `q${randomUUID().slice(0, 8)}`
}

/** A small message to `to` (one or several addresses) with a readable subject. */
export function message(
  to: string | string[],
  subject = 'Hello',
  extra: Partial<MessageInput> = {},
): MessageInput {
  return { from: 'sender@example.com', to, subject, text: `Body of ${subject}`, ...extra }
}

/** The sink's accepted deliveries: one `messageId recipient` string per recipient, in order. */
export function deliveries(sink: SmtpSink): string[] {
  return sink.transactions
    .filter((t) => t.outcome === 'accepted')
    .flatMap((t) => t.to.map((address) => `${t.messageId} ${address}`))
}

/** The transport options of a worker for `sink`: plain SMTP on loopback, quick retries. */
export function sinkTransport(sink: SmtpSink, attempts = 3): WorkerOptions['transport'] {
  return {
    host: '127.0.0.1',
    port: sink.port,
    security: 'none',
    retry: { attempts, backoffMs: 50 },
  }
}

/** A sink, a queue and workers on `redis`, all closed after the test. */
export async function rig(
  redis: RedisServer,
  cleanup: ReturnType<typeof useCleanup>,
  sinkOptions: SinkOptions = {},
): Promise<{
  sink: SmtpSink
  name: string
  queue: MailQueue
  worker(options?: Partial<WorkerOptions>): Promise<MailWorker>
}> {
  const sink = cleanup.add(await startSmtpSink(sinkOptions))
  const name = freshName()
  const queue = cleanup.add(createQueue({ connection: redis.url, name }))
  return {
    sink,
    name,
    queue,
    async worker(options = {}) {
      const w = cleanup.add(
        createWorker({ connection: redis.url, name, transport: sinkTransport(sink), ...options }),
      )
      await w.ready()
      return w
    },
  }
}
