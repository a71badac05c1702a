import { describe, expect, it } from 'vitest'
import { deliveries, message, rig, useCleanup, useRedis } from './helpers.js'

const env = useRedis()
const cleanup = useCleanup()

/** The most of `times` (ms) that fall in any window [t, t + perMs). */
function busiestWindow(times: number[], perMs: number): number {
  const sorted = [...times].sort((a, b) => a - b)
  let most = 0
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while (sorted[j]! < sorted[i]! - perMs + 1) j++
    most = Math.max(most, i - j + 1)
  }
  return most
}

describe('rate limits shared by every worker', () => {
  it('rateLimit holds for three workers together in every sliding window', async () => {
    const { sink, queue, worker } = await rig(env.redis, cleanup)
    const ids = []
    for (let i = 0; i < 30; i++)
      ids.push((await queue.enqueue(message(`r${i}@d${i}.test`, `R${i}`))).id)
    const limit = { messages: 5, perMs: 400 }
    await Promise.all([1, 2, 3].map(() => worker({ rateLimit: limit, concurrency: 4 })))
    await queue.drained({ timeoutMs: 20_000 })
    expect(deliveries(sink)).toHaveLength(30)
    const times = sink.transactions.map((t) => t.at)
    expect(busiestWindow(times, limit.perMs)).toBeLessThanOrEqual(limit.messages + 1)
  })

  it('domainRateLimit holds per recipient domain, for every worker together', async () => {
    const { sink, queue, worker } = await rig(env.redis, cleanup)
    for (let i = 0; i < 8; i++) {
      await queue.enqueue(message(`a${i}@alpha.test`, `A${i}`))
      await queue.enqueue(message(`b${i}@beta.test`, `B${i}`))
    }
    // A message to both domains counts in both.
    await queue.enqueue(message(['both@alpha.test', 'both@beta.test'], 'Both'))
    const limit = { messages: 2, perMs: 300 }
    await Promise.all([1, 2].map(() => worker({ domainRateLimit: limit, concurrency: 4 })))
    await queue.drained({ timeoutMs: 20_000 })
    expect(deliveries(sink)).toHaveLength(18)
    for (const domain of ['alpha.test', 'beta.test']) {
      const times = sink.transactions
        .filter((t) => t.to.some((a) => a.endsWith(`@${domain}`)))
        .map((t) => t.at)
      expect(times).toHaveLength(9)
      expect(busiestWindow(times, limit.perMs)).toBeLessThanOrEqual(limit.messages + 1)
    }
  })

  it('a 421 halves the shared rate for every worker while the slow-down lasts', async () => {
    let slowedAt: number | undefined
    const { sink, queue, worker } = await rig(env.redis, cleanup, {
      fault: (step) => {
        if (step !== 'mail' || slowedAt !== undefined || sink.transactions.length < 3) return
        slowedAt = Date.now()
        return '421 4.7.0 too many messages, slow down'
      },
    })
    const ids = []
    for (let i = 0; i < 24; i++) ids.push((await queue.enqueue(message(`s${i}@d${i}.test`))).id)
    const limit = { messages: 6, perMs: 300 }
    const slowDownMs = 1200
    await Promise.all([1, 2].map(() => worker({ rateLimit: limit, slowDownMs, concurrency: 6 })))
    await queue.drained({ timeoutMs: 20_000 })
    const statuses = await Promise.all(ids.map((id) => queue.status(id)))
    expect(statuses.every((s) => s?.state === 'sent')).toBe(true)
    expect(deliveries(sink)).toHaveLength(24)
    // While the slow-down lasts (from the 421 to its end), at most half the limit per window.
    const during = sink.transactions
      .map((t) => t.at)
      .filter((at) => at > slowedAt! && at < slowedAt! + slowDownMs)
    expect(during.length).toBeGreaterThan(3)
    expect(busiestWindow(during, limit.perMs)).toBeLessThanOrEqual(limit.messages / 2 + 1)
    expect(
      busiestWindow(
        sink.transactions.map((t) => t.at),
        limit.perMs,
      ),
    ).toBeLessThanOrEqual(limit.messages + 1)
  })
})
