import { describe, expect, it } from 'vitest'
import { startChildWorker } from './child.js'
import { deliveries, message, rig, sinkTransport, useCleanup, useRedis } from './helpers.js'

const env = useRedis()
const cleanup = useCleanup()
// Short locks so that a killed worker's jobs are taken up within a couple of seconds.
const fast = { lockDurationMs: 800, stalledIntervalMs: 400 }

describe('a worker killed with SIGKILL', () => {
  it('before the end of the data: its jobs are taken up by another worker and delivered once', async () => {
    let stallGreetings = true
    const { sink, name, queue, worker } = await rig(env.redis, cleanup, {
      onConnect: () => (stallGreetings ? 'stall' : undefined),
    })
    const ids = []
    for (let i = 0; i < 4; i++) {
      ids.push((await queue.enqueue(message([`a${i}@one.test`, `b${i}@two.test`], `M${i}`))).id)
    }
    const child = await startChildWorker({
      connection: env.redis.url,
      name,
      transport: sinkTransport(sink),
      concurrency: 4,
      ...fast,
    })
    cleanup.add({ close: () => child.kill() })
    // The child holds jobs and waits for a greeting that never comes.
    await sink.until(() => sink.connections >= 1)
    expect((await queue.counts()).active).toBeGreaterThan(0)
    await child.kill()
    stallGreetings = false
    await worker(fast)
    await queue.drained({ timeoutMs: 20_000 })
    const statuses = await Promise.all(ids.map((id) => queue.status(id)))
    expect(statuses.map((s) => s?.state)).toEqual(['sent', 'sent', 'sent', 'sent'])
    const expected = statuses.flatMap((s) =>
      s!.recipients.map((r) => `${s!.messageId} ${r.address}`),
    )
    expect(deliveries(sink).sort()).toEqual(expected.sort())
  })

  it('after the end of the data: the message ends unknown and is not resent; the others go once', async () => {
    const { sink, name, queue, worker } = await rig(env.redis, cleanup, {
      // The first message's data is taken but never answered: the worker is in the window.
      onMessage: ({ seenBefore }) =>
        sink.unanswered.length === 0 && seenBefore === 0 ? 'stall' : '250 2.0.0 queued',
    })
    const first = await queue.enqueue(message(['x@one.test', 'y@two.test'], 'Window'))
    const others = [
      await queue.enqueue(message('p@one.test', 'After 1')),
      await queue.enqueue(message('q@two.test', 'After 2')),
    ]
    const child = await startChildWorker({
      connection: env.redis.url,
      name,
      transport: sinkTransport(sink),
      concurrency: 1,
      ...fast,
    })
    cleanup.add({ close: () => child.kill() })
    await sink.until(() => sink.unanswered.length === 1)
    await child.kill()
    await worker(fast)
    await queue.drained({ timeoutMs: 20_000 })

    const window = await queue.status(first.id)
    expect(window).toMatchObject({ state: 'unknown', attempts: 1 })
    expect(window?.recipients.map((r) => r.status)).toEqual(['unknown', 'unknown'])
    expect(sink.transactions.filter((t) => t.messageId === window?.messageId)).toHaveLength(1)
    expect(sink.unanswered).toEqual([window?.messageId])

    const sent = await Promise.all(others.map(({ id }) => queue.status(id)))
    expect(sent.map((s) => s?.state)).toEqual(['sent', 'sent'])
    expect(deliveries(sink)).toEqual(
      sent.map((s) => `${s?.messageId} ${s?.recipients[0]?.address}`),
    )
  })
})
