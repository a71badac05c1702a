import { describe, expect, it } from 'vitest'
import { deliveries, message, rig, useCleanup, useRedis } from './helpers.js'

const env = useRedis()
const cleanup = useCleanup()

describe('delivery', () => {
  it('sends a queued message once to every recipient and reports it sent', async () => {
    const { sink, queue, worker } = await rig(env.redis, cleanup)
    const { id } = await queue.enqueue(
      message(['a@one.test', 'b@two.test'], 'First', { bcc: 'c@one.test' }),
    )
    await worker()
    await queue.drained({ timeoutMs: 10_000 })
    const status = await queue.status(id)
    expect(status).toMatchObject({ state: 'sent', attempts: 1 })
    expect(status?.recipients.map((r) => [r.address, r.status, r.code])).toEqual([
      ['a@one.test', 'accepted', 250],
      ['b@two.test', 'accepted', 250],
      ['c@one.test', 'accepted', 250],
    ])
    expect(deliveries(sink)).toEqual(
      ['a@one.test', 'b@two.test', 'c@one.test'].map((a) => `${status?.messageId} ${a}`),
    )
  })
})
