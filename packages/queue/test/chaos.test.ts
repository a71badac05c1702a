import { describe, expect, it } from 'vitest'
import { startChildWorker } from './child.js'
import { message, rig, sinkTransport, useCleanup, useRedis } from './helpers.js'

const env = useRedis()
const cleanup = useCleanup()

describe('workers in three processes, one killed, against a faulty server', () => {
  it('delivers every recipient once, or reports it rejected (550) or unknown (hang-ups, the kill)', async () => {
    const arrivals = new Map<string, number>()
    const subjectOf = new Map<string, number>()
    const { sink, name, queue } = await rig(env.redis, cleanup, {
      fault: (step, ctx) => {
        if (step === 'rcpt' && ctx.address === 'bounce@two.test') return '550 5.1.1 no such user'
        if (step !== 'end' || ctx.messageId === undefined) return undefined
        const seen = (arrivals.get(ctx.messageId) ?? 0) + 1
        arrivals.set(ctx.messageId, seen)
        const i = subjectOf.get(ctx.messageId) ?? -1
        if (seen === 1 && i % 5 === 0) return '451 4.3.0 try again'
        if (seen === 1 && i % 11 === 3) return 'hangup'
        return undefined
      },
    })
    const jobs: { id: string; to: string[] }[] = []
    for (let i = 0; i < 60; i++) {
      const to = [
        `m${i}@one.test`,
        `m${i}@two.test`,
        i % 9 === 0 ? 'bounce@two.test' : `x${i}@three.test`,
      ].slice(0, 1 + (i % 3))
      const { id } = await queue.enqueue(message(to, `M${i}`))
      subjectOf.set((await queue.status(id))!.messageId!, i)
      jobs.push({ id, to })
    }
    const concurrency = 4
    const options = {
      connection: env.redis.url,
      name,
      transport: sinkTransport(sink, 5),
      concurrency,
      lockDurationMs: 800,
      stalledIntervalMs: 400,
    }
    const [a, b] = await Promise.all([startChildWorker(options), startChildWorker(options)])
    for (const w of [a!, b!]) cleanup.add({ close: () => w.kill() })
    await sink.until(() => sink.accepted.length >= 20, 20_000)
    await a!.kill()
    const c = await startChildWorker(options)
    cleanup.add({ close: () => c.kill() })
    await queue.drained({ timeoutMs: 30_000 })

    const delivered = new Map<string, number>()
    for (const t of sink.transactions.filter((t) => t.outcome === 'accepted')) {
      for (const address of t.to) {
        const key = `${t.messageId} ${address}`
        delivered.set(key, (delivered.get(key) ?? 0) + 1)
      }
    }
    expect(Math.max(...delivered.values())).toBe(1)
    let unknown = 0
    const unknownIds = new Set<string | undefined>()
    for (const job of jobs) {
      const status = (await queue.status(job.id))!
      if (status.state === 'unknown') unknownIds.add(status.messageId)
      expect(status.recipients.map((r) => r.address)).toEqual(job.to)
      for (const r of status.recipients) {
        const key = `${status.messageId} ${r.address}`
        if (r.status === 'accepted') expect(delivered.get(key)).toBe(1)
        else if (r.status === 'rejected')
          expect(r).toMatchObject({ address: 'bounce@two.test', code: 550 })
        else expect(r.status).toBe('unknown')
      }
      if (status.state === 'unknown') unknown++
      else expect(status.recipients.every((r) => r.status !== 'unknown')).toBe(true)
    }
    // Hang-ups after the data (one per message so marked), plus at most the killed worker's concurrency.
    const hangups = [...subjectOf.values()].filter((i) => i % 11 === 3 && i % 5 !== 0).length
    expect(unknown).toBeGreaterThanOrEqual(hangups)
    expect(unknown).toBeLessThanOrEqual(hangups + concurrency)
    // A message whose data the server took without answering is unknown, never sent again.
    for (const id of sink.unanswered) expect(unknownIds.has(id)).toBe(true)
  })
})
