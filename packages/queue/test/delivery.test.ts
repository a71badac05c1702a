import { parseWithMailparser, startAiosmtpd } from '@mail/testkit'
import { describe, expect, it } from 'vitest'
import { createQueue, createWorker } from '../src/index.js'
import { deliveries, freshName, message, rig, useCleanup, useRedis } from './helpers.js'

const env = useRedis()
const cleanup = useCleanup()

describe('delivery and per-recipient outcomes', () => {
  it('sends a queued message once to every recipient, Bcc included, and reports it sent', async () => {
    const { sink, queue, worker } = await rig(env.redis, cleanup)
    const { id } = await queue.enqueue(
      message(['a@one.test', 'b@two.test'], 'First', { bcc: 'c@one.test' }),
    )
    expect(await queue.status(id)).toMatchObject({ state: 'waiting', attempts: 0 })
    await worker()
    await queue.drained({ timeoutMs: 10_000 })
    const status = await queue.status(id)
    expect(status).toMatchObject({ state: 'sent', attempts: 1 })
    expect(status?.error).toBeUndefined()
    expect(status?.recipients.map((r) => [r.address, r.status, r.code])).toEqual([
      ['a@one.test', 'accepted', 250],
      ['b@two.test', 'accepted', 250],
      ['c@one.test', 'accepted', 250],
    ])
    expect(deliveries(sink)).toEqual(
      ['a@one.test', 'b@two.test', 'c@one.test'].map((a) => `${status?.messageId} ${a}`),
    )
    expect(await queue.counts()).toEqual({
      waiting: 0,
      delayed: 0,
      active: 0,
      completed: 1,
      failed: 0,
    })
  })

  it('a 550 recipient is rejected for good and its co-recipients are delivered once (partial)', async () => {
    const { sink, queue, worker } = await rig(env.redis, cleanup, {
      fault: (step, ctx) =>
        step === 'rcpt' && ctx.address === 'nobody@two.test' ? '550 5.1.1 no such user' : undefined,
    })
    const { id } = await queue.enqueue(message(['a@one.test', 'nobody@two.test', 'c@two.test']))
    await worker()
    await queue.drained({ timeoutMs: 10_000 })
    const status = await queue.status(id)
    expect(status).toMatchObject({ state: 'partial', attempts: 1 })
    expect(status?.recipients).toEqual([
      expect.objectContaining({ address: 'a@one.test', status: 'accepted' }),
      {
        address: 'nobody@two.test',
        status: 'rejected',
        code: 550,
        enhancedCode: '5.1.1',
        response: expect.stringContaining('no such user'),
      },
      expect.objectContaining({ address: 'c@two.test', status: 'accepted' }),
    ])
    expect(deliveries(sink)).toEqual([
      `${status?.messageId} a@one.test`,
      `${status?.messageId} c@two.test`,
    ])
  })

  it('a 4xx recipient is retried alone, with the same Message-ID and content, then accepted', async () => {
    const { sink, queue, worker } = await rig(env.redis, cleanup, {
      fault: (step, ctx) =>
        step === 'rcpt' && ctx.address === 'busy@two.test' && ctx.attempt === 1
          ? '450 4.2.1 mailbox busy, try later'
          : undefined,
    })
    const { id } = await queue.enqueue(message(['a@one.test', 'busy@two.test'], 'Retry'))
    await worker()
    await queue.drained({ timeoutMs: 10_000 })
    const status = await queue.status(id)
    expect(status).toMatchObject({ state: 'sent', attempts: 2 })
    const [first, second] = sink.transactions
    expect(sink.transactions).toHaveLength(2)
    expect(first).toMatchObject({
      to: ['a@one.test'],
      outcome: 'accepted',
      messageId: status?.messageId,
    })
    expect(second).toMatchObject({
      to: ['busy@two.test'],
      outcome: 'accepted',
      messageId: status?.messageId,
    })
    expect(deliveries(sink)).toEqual([
      `${status?.messageId} a@one.test`,
      `${status?.messageId} busy@two.test`,
    ])
  })

  it('a transient refusal of the whole transaction is retried as the transport says, then fails', async () => {
    const { sink, queue, worker } = await rig(env.redis, cleanup, {
      onMessage: () => '451 4.3.0 local problem',
    })
    const { id } = await queue.enqueue(message(['a@one.test', 'b@one.test'], 'Never'))
    await worker()
    await queue.drained({ timeoutMs: 10_000 })
    const status = await queue.status(id)
    // sinkTransport: retry.attempts 3.
    expect(status).toMatchObject({
      state: 'failed',
      attempts: 3,
      error: expect.stringContaining('451'),
    })
    expect(status?.recipients.map((r) => [r.status, r.code, r.enhancedCode])).toEqual([
      ['rejected', 451, '4.3.0'],
      ['rejected', 451, '4.3.0'],
    ])
    expect(new Set(sink.replies.map((r) => r.messageId))).toEqual(new Set([status?.messageId]))
    expect(sink.replies).toHaveLength(3)
  })

  it('a connection lost after the end of the data leaves the message unknown, never resent', async () => {
    const { sink, queue, worker } = await rig(env.redis, cleanup, {
      fault: (step, ctx) => (step === 'end' && ctx.messageId !== undefined ? 'hangup' : undefined),
    })
    const { id } = await queue.enqueue(message(['a@one.test', 'b@two.test'], 'Hang-up'))
    await worker()
    await queue.drained({ timeoutMs: 10_000 })
    const status = await queue.status(id)
    expect(status).toMatchObject({ state: 'unknown', attempts: 1 })
    expect(status?.recipients.map((r) => r.status)).toEqual(['unknown', 'unknown'])
    expect(sink.transactions).toHaveLength(1)
    expect(sink.unanswered).toEqual([status?.messageId])
  })

  it('delivers the bytes built at enqueue to a real server, read back by an independent parser', async () => {
    const server = cleanup.add(await startAiosmtpd())
    const name = freshName()
    const queue = cleanup.add(createQueue({ connection: env.redis.url, name }))
    const bytes = Uint8Array.from({ length: 300 }, (_, i) => (i * 7) % 256)
    const { id } = await queue.enqueue(
      message('a@one.test', 'Grüße', {
        bcc: 'hidden@two.test',
        attachments: [{ filename: 'data.bin', content: new Blob([bytes]) }],
      }),
    )
    const transport = { host: '127.0.0.1', port: server.port, security: 'none' as const }
    const worker = cleanup.add(createWorker({ connection: env.redis.url, name, transport }))
    await worker.ready()
    await queue.drained({ timeoutMs: 10_000 })
    const status = await queue.status(id)
    expect(status?.state).toBe('sent')
    const [received] = await server.waitFor(1)
    expect(received?.rcptTos).toEqual(['a@one.test', 'hidden@two.test'])
    const parsed = await parseWithMailparser(received!.data)
    expect(parsed.subject).toBe('Grüße')
    expect(parsed.messageId).toBe(status?.messageId)
    expect(parsed.headers.map(([h]) => h.toLowerCase())).not.toContain('bcc')
    expect(parsed.attachments).toHaveLength(1)
    expect(Buffer.from(parsed.attachments[0]!.content)).toEqual(Buffer.from(bytes))
  })

  it('close() lets the active job finish before it resolves', async () => {
    const { sink, queue, worker } = await rig(env.redis, cleanup, { replyDelayMs: 300 })
    const { id } = await queue.enqueue(message('a@one.test', 'Closing'))
    const w = await worker()
    await sink.until(() => sink.transactions.length === 1)
    await w.close()
    expect(sink.accepted).toHaveLength(1)
    expect((await queue.status(id))?.state).toBe('sent')
  })
})
