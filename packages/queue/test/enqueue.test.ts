import { MimeError } from '@mail/mime'
import { parseWithPython, refusingPort } from '@mail/testkit'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createQueue, createWorker, QueueError } from '../src/index.js'
import { deliveries, freshName, message, rig, useCleanup, useRedis } from './helpers.js'

const env = useRedis()
const cleanup = useCleanup()
let redis: Redis
beforeAll(() => {
  redis = new Redis(env.redis.url)
})
afterAll(() => redis.quit())

const keysOf = async (name: string) => (await redis.keys(`bull:${name}:*`)).sort()

describe('enqueue', () => {
  it('refuses a bad message with a MimeError and bad options with a QueueError, storing nothing', async () => {
    const name = freshName()
    const queue = cleanup.add(createQueue({ connection: env.redis.url, name }))
    await queue.enqueue(message('a@one.test'))
    const before = await keysOf(name)
    const bad = [
      queue.enqueue({ from: 'not an address', to: 'a@one.test', text: 'x' }),
      queue.enqueue({ from: 'a@one.test', subject: 'nobody to send to', text: 'x' }),
      queue.enqueue(message('a@one.test', 'x', { attachments: [{ content: 42 as never }] })),
    ]
    for (const attempt of bad) await expect(attempt).rejects.toBeInstanceOf(MimeError)
    await expect(queue.enqueue(message('a@one.test'), { delayMs: -1 })).rejects.toMatchObject({
      name: 'QueueError',
      field: 'options.delayMs',
    })
    await expect(queue.enqueue(message('a@one.test'), { priority: 0 })).rejects.toBeInstanceOf(
      QueueError,
    )
    expect(await keysOf(name)).toEqual(before)
    expect(() => createQueue({ connection: 'http://127.0.0.1', name })).toThrow(/connection/)
    const transport = 'smtp://127.0.0.1:1'
    const connection = env.redis.url
    expect(() =>
      createWorker({ connection, transport, rateLimit: { messages: 0, perMs: 1000 } }),
    ).toThrow(expect.objectContaining({ name: 'QueueError', field: 'rateLimit' }))
    expect(() => createWorker({ connection, transport, concurrency: 0 })).toThrow(/concurrency/)
  })

  it('refuses an option it does not know, naming it, with the spelling to use for BullMQ ones', async () => {
    const connection = env.redis.url
    const transport = 'smtp://127.0.0.1:1'
    const refused = (f: () => unknown) => {
      try {
        f()
      } catch (e) {
        return {
          name: (e as Error).name,
          field: (e as QueueError).field,
          message: (e as Error).message,
        }
      }
      return expect.fail('should have thrown')
    }
    const limiter = { max: 10, duration: 1000 }
    expect(refused(() => createWorker({ connection, transport, limiter } as never))).toEqual({
      name: 'QueueError',
      field: 'limiter',
      message: expect.stringMatching(/^limiter is not an option of @mail\/queue: use rateLimit/),
    })
    expect(
      refused(() => createWorker({ connection, transport, rateLimit: limiter } as never)),
    ).toMatchObject({ field: 'rateLimit.max', message: expect.stringContaining('use messages') })
    expect(
      refused(() => createWorker({ connection, transport, host: 'smtp.example.com' } as never)),
    ).toMatchObject({ field: 'host', message: expect.stringContaining('belongs in transport') })
    expect(refused(() => createQueue({ connection, nmae: 'x' } as never))).toMatchObject({
      field: 'nmae',
      message: expect.stringContaining('(options: connection, name, prefix)'),
    })
    const name = freshName()
    const queue = cleanup.add(createQueue({ connection, name }))
    const before = await keysOf(name)
    await expect(queue.enqueue(message('a@one.test'), { delay: 5 } as never)).rejects.toMatchObject(
      {
        name: 'QueueError',
        field: 'options.delay',
        message: expect.stringContaining('use delayMs'),
      },
    )
    await expect(queue.drained({ timeout: 5 } as never)).rejects.toMatchObject({
      field: 'options.timeout',
    })
    expect(await keysOf(name)).toEqual(before)
  })

  it('stores the built message once as bytes beside a small job, attachments included', async () => {
    const name = freshName()
    // Through the server's unix socket, as a redis+unix:// URL.
    const queue = cleanup.add(createQueue({ connection: `redis+unix://${env.redis.socket}`, name }))
    const attachment = Uint8Array.from({ length: 100_000 }, (_, i) => (i * 31) % 256)
    const { id } = await queue.enqueue(
      message('a@one.test', 'Report', {
        bcc: 'b@two.test',
        attachments: [{ filename: 'report.bin', content: attachment }],
      }),
    )
    const status = await queue.status(id)
    const raw = await redis.getBuffer(`bull:${name}:mail:${id}:raw`)
    // base64 of 100,000 octets is 133,336 characters plus line ends: nothing is inflated further.
    expect(raw!.length).toBeGreaterThan(135_000)
    expect(raw!.length).toBeLessThan(140_000)
    const data = await redis.hget(`bull:${name}:${id}`, 'data')
    expect(JSON.parse(data!)).toEqual({
      from: 'sender@example.com',
      to: ['a@one.test', 'b@two.test'],
      messageId: status?.messageId,
    })
    const parsed = await parseWithPython(raw!)
    expect(parsed.messageId).toBe(status?.messageId)
    expect(parsed.date).toMatch(/^\d{4}-\d\d-\d\dT/)
    expect(Buffer.from(parsed.attachments[0]!.content)).toEqual(Buffer.from(attachment))
    expect(parsed.headers.map(([h]) => h.toLowerCase())).not.toContain('bcc')
  })

  it('gives the first job for an idempotency key used again, and sends it once', async () => {
    const { sink, name, queue, worker } = await rig(env.redis, cleanup)
    const first = await queue.enqueue(message('a@one.test', 'First'), { idempotencyKey: 'order-1' })
    const again = await queue.enqueue(message('a@one.test', 'Second'), {
      idempotencyKey: 'order-1',
    })
    expect(again).toEqual(first)
    expect((await queue.counts()).waiting).toBe(1)
    const raw = await redis.get(`bull:${name}:mail:${first.id}:raw`)
    expect(raw).toContain('Subject: First')
    await worker()
    await queue.drained({ timeoutMs: 10_000 })
    const late = await queue.enqueue(message('a@one.test', 'Third'), { idempotencyKey: 'order-1' })
    expect(late).toEqual(first)
    await queue.drained({ timeoutMs: 10_000 })
    expect(deliveries(sink)).toEqual([`${(await queue.status(first.id))?.messageId} a@one.test`])
    expect((await queue.counts()).completed).toBe(1)
    // At the same moment: one message is stored, and its job carries that message's envelope.
    const [x, y] = await Promise.all([
      queue.enqueue(message('x@one.test', 'X'), { idempotencyKey: 'order-2' }),
      queue.enqueue(message('y@one.test', 'Y'), { idempotencyKey: 'order-2' }),
    ])
    expect(x).toEqual(y)
    const stored = await redis.get(`bull:${name}:mail:${x!.id}:raw`)
    const status = await queue.status(x!.id)
    expect(stored).toContain(`Message-ID: ${status?.messageId}`)
    expect(stored).toContain(`To: ${status?.recipients[0]?.address}`)
  })

  it('reports delayed and prioritized jobs, and takes higher priorities first', async () => {
    const { sink, queue, worker } = await rig(env.redis, cleanup)
    const later = await queue.enqueue(message('a@one.test', 'Later'), { delayMs: 3_600_000 })
    const low = await queue.enqueue(message('b@one.test', 'Low'), { priority: 10 })
    const high = await queue.enqueue(message('c@one.test', 'High'), { priority: 1 })
    expect((await queue.status(later.id))?.state).toBe('delayed')
    expect((await queue.status(low.id))?.state).toBe('waiting')
    expect(await queue.status('no-such-job')).toBeNull()
    expect(await queue.counts()).toMatchObject({ waiting: 2, delayed: 1 })
    await worker({ concurrency: 1 })
    await sink.until(() => sink.accepted.length === 2)
    const ids = await Promise.all(
      [high, low].map(async (j) => (await queue.status(j.id))?.messageId),
    )
    expect(sink.accepted).toEqual(ids)
    await expect(queue.drained({ timeoutMs: 200 })).rejects.toThrow(/not drained within 200 ms/)
    expect((await queue.status(later.id))?.state).toBe('delayed')
  })
})

describe('a Redis that cannot be reached', () => {
  it('drained() rejects once its time is up, connecting included, and close() returns', async () => {
    const refusing = await refusingPort()
    try {
      const queue = createQueue({ connection: `redis://127.0.0.1:${refusing.port}` })
      await expect(queue.drained({ timeoutMs: 300 })).rejects.toThrow(
        'queue mail: not drained within 300 ms',
      )
      await queue.close()
    } finally {
      await refusing.release()
    }
  })
})
