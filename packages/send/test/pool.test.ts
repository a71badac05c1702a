import { SmtpClient, SmtpError } from '@mail/smtp'
import { refusingPort, startAiosmtpd, startSmtpSink } from '@mail/testkit'
import { describe, expect, it } from 'vitest'
import { SendError } from '../src/errors.js'
import { resolveTransport } from '../src/options.js'
import { Pool, type PoolClient, type PoolSendOptions } from '../src/pool.js'
import { prepare } from '../src/prepare.js'
import { createTransport, PooledTransport } from '../src/transport.js'
import type { SendManyResult } from '../src/types.js'

const message = (n: number) => ({
  from: 'a@example.com',
  to: 'b@example.org',
  subject: `message ${n}`,
  text: `body ${n}`,
  messageId: `<m-${n}@test>`,
})

async function collect(results: AsyncIterable<SendManyResult>): Promise<SendManyResult[]> {
  const all: SendManyResult[] = []
  for await (const r of results) all.push(r)
  return all
}

describe('pool', () => {
  it('delivers 1,000 messages through 4 connections to aiosmtpd, each exactly once', async () => {
    const server = await startAiosmtpd()
    try {
      await using transport = createTransport({
        host: '127.0.0.1',
        port: server.port,
        security: 'none',
        pool: { maxConnections: 4 },
      })
      const messages = Array.from({ length: 1000 }, (_, i) => message(i))
      const results = await collect(transport.sendMany(messages))
      expect(results.map((r) => r.index)).toEqual(messages.map((_, i) => i))
      expect(results.filter((r) => 'error' in r)).toEqual([])
      const received = await server.waitFor(1000, 60_000)
      const ids = received.map(
        (m) => /^Message-ID: (<[^>]+>)/m.exec(m.data.toString('latin1'))?.[1],
      )
      expect(ids).toHaveLength(1000)
      expect(new Set(ids).size).toBe(1000)
      expect([...ids].sort()).toEqual(messages.map((m) => m.messageId).sort())
    } finally {
      await server.stop()
    }
  })

  it('authenticates every pooled connection over STARTTLS', async () => {
    const server = await startAiosmtpd({
      security: 'starttls',
      requireStarttls: true,
      auth: { user: 'pool', pass: 'p/o%o@l' },
    })
    try {
      await using transport = createTransport({
        url: `smtp://pool:${encodeURIComponent('p/o%o@l')}@localhost:${server.port}?security=starttls&maxConnections=2`,
        tls: { ca: server.ca },
      })
      const results = await collect(
        transport.sendMany(Array.from({ length: 20 }, (_, i) => message(i))),
      )
      expect(results.filter((r) => 'error' in r)).toEqual([])
      expect(await server.waitFor(20)).toHaveLength(20)
    } finally {
      await server.stop()
    }
  })

  it('never opens more than maxConnections at once and sends in submission order per connection', async () => {
    const sink = await startSmtpSink()
    try {
      await using transport = createTransport({
        host: '127.0.0.1',
        port: sink.port,
        security: 'none',
        pool: { maxConnections: 3, maxMessagesPerConnection: 20 },
      })
      const results = await collect(
        transport.sendMany(Array.from({ length: 200 }, (_, i) => message(i))),
      )
      expect(results.every((r) => 'info' in r)).toBe(true)
      expect(sink.maxOpen).toBeLessThanOrEqual(3)
      expect(sink.connections).toBeGreaterThanOrEqual(10)
      expect(new Set(sink.accepted).size).toBe(200)
    } finally {
      await sink.stop()
    }
  })

  it('replaces a connection that died and retries the message that was on it', async () => {
    const sink = await startSmtpSink({
      onDataCommand: ({ connection, transaction }) =>
        connection === 1 && transaction === 2 ? 'drop' : undefined,
    })
    try {
      await using transport = createTransport({
        host: '127.0.0.1',
        port: sink.port,
        security: 'none',
        retry: { attempts: 3, backoffMs: 1 },
      })
      for (let i = 0; i < 4; i++) await transport.send(message(i))
      expect(sink.connections).toBe(2)
      expect(sink.accepted).toEqual(['<m-0@test>', '<m-1@test>', '<m-2@test>', '<m-3@test>'])
    } finally {
      await sink.stop()
    }
  })

  it('delivers every message exactly once or reports it, with a dropped connection and 451s', async () => {
    const count = 120
    const alwaysBusy = '<m-10@test>'
    const sink = await startSmtpSink({
      onMessage: ({ connection, messageId, seenBefore }) => {
        if (messageId === alwaysBusy) return '451 4.3.0 busy, try later'
        if (connection === 1 && messageId === '<m-5@test>') return 'drop' // after the final dot
        const n = Number(/\d+/.exec(messageId)?.[0])
        if (n % 7 === 3 && seenBefore === 0) return '451 4.7.1 greylisted'
        return '250 2.0.0 queued'
      },
    })
    try {
      await using transport = createTransport({
        host: '127.0.0.1',
        port: sink.port,
        security: 'none',
        pool: { maxConnections: 2 },
        retry: { attempts: 3, backoffMs: 1 },
      })
      const results = await collect(
        transport.sendMany(Array.from({ length: count }, (_, i) => message(i))),
      )
      expect(results.map((r) => r.index)).toEqual(Array.from({ length: count }, (_, i) => i))
      const acceptedTimes = new Map<string, number>()
      for (const id of sink.accepted) acceptedTimes.set(id, (acceptedTimes.get(id) ?? 0) + 1)
      expect([...acceptedTimes.values()].every((n) => n === 1)).toBe(true)
      for (const r of results) {
        const id = `<m-${r.index}@test>`
        if ('info' in r) {
          expect(acceptedTimes.get(id)).toBe(1)
        } else if (r.error instanceof SendError) {
          expect(r.error.deliveryUnknown).toBe(true)
          expect(sink.unanswered).toContain(id)
          expect(acceptedTimes.get(id)).toBeUndefined()
        } else {
          expect(r.error).toBeInstanceOf(SmtpError)
          expect(acceptedTimes.get(id)).toBeUndefined()
        }
      }
      const failed = results.filter((r) => 'error' in r)
      expect(failed.map((r) => r.index)).toContain(5)
      const busy = results[10]!
      expect('error' in busy && busy.error).toMatchObject({ name: 'SmtpError', transient: true })
      // m-10 got a 451 on each attempt that reached the server (an attempt on the dropped
      // connection may not have), and no more than the 3 attempts allowed.
      const busyReplies = sink.replies.filter((r) => r.messageId === alwaysBusy)
      expect(busyReplies.length).toBeGreaterThanOrEqual(1)
      expect(busyReplies.length).toBeLessThanOrEqual(3)
      // Every message with n % 7 === 3 was greylisted once, then delivered.
      expect(acceptedTimes.get('<m-3@test>')).toBe(1)
      expect(acceptedTimes.get('<m-73@test>')).toBe(1)
    } finally {
      await sink.stop()
    }
  })

  it('does not retry a permanent 5xx refusal', async () => {
    const sink = await startSmtpSink({ onMessage: () => '554 5.7.1 rejected as spam' })
    try {
      await using transport = createTransport({
        host: '127.0.0.1',
        port: sink.port,
        security: 'none',
        retry: { attempts: 5, backoffMs: 1 },
      })
      const error = await transport.send(message(1)).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(SmtpError)
      expect(error).toMatchObject({ code: 554, permanent: true })
      expect(sink.replies).toHaveLength(1)
    } finally {
      await sink.stop()
    }
  })

  it('rejects every waiting message after the retries when no connection can be opened', async () => {
    const closed = await refusingPort()
    try {
      await using transport = createTransport({
        host: '127.0.0.1',
        port: closed.port,
        security: 'none',
        retry: { attempts: 2, backoffMs: 1 },
      })
      const results = await collect(transport.sendMany([message(1), message(2), message(3)]))
      expect(results).toHaveLength(3)
      for (const r of results) {
        expect('error' in r && r.error).toBeInstanceOf(SmtpError)
        expect('error' in r && r.error).toMatchObject({ stage: 'connect' })
      }
    } finally {
      await closed.release()
    }
  })

  it('holds the rate limit: no more than `messages` start before the clock moves', async () => {
    const sink = await startSmtpSink()
    try {
      let now = 0
      // The pool's one timer, fired by hand: time moves only when the test says so.
      let timer: { fire: () => void; ms: number } | undefined
      const dispatched: number[] = []
      const config = resolveTransport({ host: '127.0.0.1', port: sink.port, security: 'none' })
      const pool = new Pool(
        {
          ...config.pool,
          maxConnections: 2,
          rateLimit: { messages: 4, perMs: 1000 },
          attempts: config.retry.attempts,
          backoffMs: config.retry.backoffMs,
        },
        (signal) => SmtpClient.connect({ ...config.connect, signal }),
        {
          now: () => now,
          setTimer: (fire, ms) => {
            timer = { fire, ms }
            return timer
          },
          clearTimer: (t) => {
            if (timer === t) timer = undefined
          },
          trace: (_event, commands) => {
            for (const c of commands) if (c.type === 'dispatch') dispatched.push(c.id)
          },
        },
      )
      const sent = Array.from({ length: 10 }, (_, i) => pool.submit(prepare(message(i), undefined)))
      await Promise.all(sent.slice(0, 4))
      // Four started; the pool asked to be woken when the window has passed, and nothing else
      // can start a message: the clock stands still.
      expect(dispatched).toHaveLength(4)
      expect(timer?.ms).toBe(1000)
      expect(sink.accepted).toHaveLength(4)
      now = 999
      timer!.fire()
      expect(dispatched).toHaveLength(4)
      expect(timer?.ms).toBe(1)
      now = 1000
      timer!.fire()
      expect(dispatched).toHaveLength(8)
      await Promise.all(sent.slice(4, 8))
      expect(sink.accepted).toHaveLength(8)
      now = 2000
      timer!.fire()
      await Promise.all(sent)
      // Two connections: the order of arrival between them is the server's business.
      expect([...sink.accepted].sort()).toEqual(
        Array.from({ length: 10 }, (_, i) => `<m-${i}@test>`).sort(),
      )
      await pool.close()
      await sink.until(() => sink.quits === sink.connections)
    } finally {
      await sink.stop()
    }
  })

  it('lets queued messages finish on close() and then QUITs every connection', async () => {
    const sink = await startSmtpSink()
    try {
      const transport = createTransport({
        host: '127.0.0.1',
        port: sink.port,
        security: 'none',
        pool: { maxConnections: 2 },
      })
      const sends = Array.from({ length: 30 }, (_, i) => transport.send(message(i)))
      await transport.close()
      const infos = await Promise.all(sends)
      expect(infos).toHaveLength(30)
      expect(sink.accepted).toHaveLength(30)
      await sink.until(() => sink.quits === sink.connections)
    } finally {
      await sink.stop()
    }
  })

  it('hands the per-send options (signal, beforeEnd) to the client untouched', async () => {
    // A backend that records what the pool gives it: the seam the memory backend also uses.
    const seen: (PoolSendOptions | undefined)[] = []
    const client: PoolClient & { capabilities: never; secure: false; authenticated: false } = {
      capabilities: undefined as never,
      secure: false,
      authenticated: false,
      usable: true,
      send: (envelope, _raw, options) => {
        seen.push(options)
        return Promise.resolve({ accepted: envelope.to, rejected: [], response: '250 ok' })
      },
      quit: () => Promise.resolve(),
      close: () => {},
    }
    const config = resolveTransport({ host: 'unused.example' })
    await using transport = new PooledTransport(config, () => Promise.resolve(client))
    const beforeEnd = () => Promise.resolve()
    const signal = new AbortController().signal
    await transport.send(message(1), { signal, beforeEnd })
    await transport.sendRaw({ from: 'a@example.com', to: ['b@example.org'] }, 'Hi\r\n', {
      beforeEnd,
    })
    await transport.send(message(2))
    expect(seen).toHaveLength(3)
    expect(seen[0]!.beforeEnd).toBe(beforeEnd)
    expect(seen[0]!.signal).toBe(signal)
    expect(seen[1]!.beforeEnd).toBe(beforeEnd)
    expect(seen[2]).toBeUndefined()
  })
})
