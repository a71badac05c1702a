import { SmtpError } from '@mail/smtp'
import { startAiosmtpd, startSmtpSink } from '@mail/testkit'
import { describe, expect, it } from 'vitest'
import { SendError } from '../src/errors.js'
import { createTransport } from '../src/transport.js'

const message = (n: number) => ({
  from: 'a@example.com',
  to: 'b@example.org',
  subject: `message ${n}`,
  text: `body ${n}`,
  messageId: `<m-${n}@test>`,
})

describe('createTransport', () => {
  it('validates its options at once, naming the field', () => {
    expect(() => createTransport({ host: 'h', pool: { maxConnections: -1 } })).toThrow(
      expect.objectContaining({ kind: 'transport', field: 'pool.maxConnections' }),
    )
    expect(() => createTransport('smtp://h?unknown=1')).toThrow(SendError)
  })

  it('keeps one connection open between messages and QUITs it on close()', async () => {
    const sink = await startSmtpSink()
    try {
      const transport = createTransport(`smtp://127.0.0.1:${sink.port}?security=none`)
      for (let i = 0; i < 3; i++) {
        const info = await transport.send(message(i))
        expect(info.messageId).toBe(`<m-${i}@test>`)
        expect(info.response).toMatch(/^250/)
      }
      expect(sink.connections).toBe(1)
      await transport.close()
      await sink.until(() => sink.quits === 1)
      expect(sink.accepted).toEqual(['<m-0@test>', '<m-1@test>', '<m-2@test>'])
    } finally {
      await sink.stop()
    }
  })

  it('hands many sends to one connection without awaiting each, in submission order', async () => {
    const sink = await startSmtpSink()
    try {
      await using transport = createTransport(`smtp://127.0.0.1:${sink.port}?security=none`)
      const infos = await Promise.all(
        Array.from({ length: 50 }, (_, i) => transport.send(message(i))),
      )
      expect(infos.map((i) => i.messageId)).toEqual(sink.accepted)
      expect(sink.accepted).toEqual(Array.from({ length: 50 }, (_, i) => `<m-${i}@test>`))
      expect(sink.connections).toBe(1)
    } finally {
      await sink.stop()
    }
  })

  it('refuses messages after close() with a SendError', async () => {
    const sink = await startSmtpSink()
    try {
      const transport = createTransport(`smtp://127.0.0.1:${sink.port}?security=none`)
      await transport.close()
      await expect(transport.send(message(1))).rejects.toMatchObject({ kind: 'closed' })
      expect(sink.connections).toBe(0)
    } finally {
      await sink.stop()
    }
  })

  it('closes its connections when disposed with await using', async () => {
    const sink = await startSmtpSink()
    try {
      {
        await using transport = createTransport(`smtp://127.0.0.1:${sink.port}?security=none`)
        await transport.send(message(1))
      }
      await sink.until(() => sink.quits === 1)
    } finally {
      await sink.stop()
    }
  })

  it('closes an idle connection after idleTimeoutMs and opens a new one when needed', async () => {
    const sink = await startSmtpSink()
    try {
      await using transport = createTransport({
        host: '127.0.0.1',
        port: sink.port,
        security: 'none',
        pool: { maxConnections: 1, idleTimeoutMs: 20 },
      })
      await transport.send(message(1))
      await sink.until(() => sink.quits === 1)
      await transport.send(message(2))
      expect(sink.connections).toBe(2)
    } finally {
      await sink.stop()
    }
  })

  it('replaces a connection after maxMessagesPerConnection messages', async () => {
    const sink = await startSmtpSink()
    try {
      await using transport = createTransport({
        host: '127.0.0.1',
        port: sink.port,
        security: 'none',
        pool: { maxConnections: 1, maxMessagesPerConnection: 3 },
      })
      for (let i = 0; i < 10; i++) await transport.send(message(i))
      expect(sink.connections).toBe(4)
      await sink.until(() => sink.quits >= 3)
      expect(sink.accepted).toHaveLength(10)
    } finally {
      await sink.stop()
    }
  })

  describe('verify', () => {
    it('connects, authenticates and quits without sending mail', async () => {
      const server = await startAiosmtpd({
        security: 'starttls',
        requireStarttls: true,
        auth: { user: 'u', pass: 'p w' },
      })
      try {
        const transport = createTransport({
          url: `smtp://u:p%20w@localhost:${server.port}?security=starttls`,
          tls: { ca: server.ca },
        })
        const info = await transport.verify()
        expect(info.secure).toBe(true)
        expect(info.authenticated).toBe(true)
        expect(info.capabilities.extensions).toHaveProperty('AUTH')
        await transport.close()
        expect(await server.received()).toEqual([])
      } finally {
        await server.stop()
      }
    })

    it('rejects bad credentials with SmtpError 535', async () => {
      const server = await startAiosmtpd({ security: 'starttls', auth: { user: 'u', pass: 'p' } })
      try {
        const transport = createTransport({
          host: 'localhost',
          port: server.port,
          auth: { user: 'u', pass: 'nope-Secret' },
          tls: { ca: server.ca },
        })
        const error = await transport.verify().catch((e: unknown) => e)
        expect(error).toBeInstanceOf(SmtpError)
        expect(error).toMatchObject({ code: 535 })
        expect((error as Error).message).not.toContain('nope-Secret')
        await transport.close()
      } finally {
        await server.stop()
      }
    })
  })

  describe('abort', () => {
    it('drops a message aborted while it waits in the queue; the others are sent', async () => {
      const sink = await startSmtpSink()
      try {
        await using transport = createTransport({
          host: '127.0.0.1',
          port: sink.port,
          security: 'none',
          // One message per minute: the second waits in the queue.
          pool: { maxConnections: 1, rateLimit: { messages: 1, perMs: 60_000 } },
        })
        const controller = new AbortController()
        const first = transport.send(message(1))
        const second = transport.send(message(2), { signal: controller.signal })
        await first
        controller.abort()
        await expect(second).rejects.toMatchObject({ name: 'AbortError' })
        expect(sink.accepted).toEqual(['<m-1@test>'])
      } finally {
        await sink.stop()
      }
    })

    it('closes the connection of a message aborted mid-transaction and rejects it', async () => {
      const sink = await startSmtpSink({ onMessage: () => 'stall' })
      try {
        await using transport = createTransport({
          host: '127.0.0.1',
          port: sink.port,
          security: 'none',
          retry: { attempts: 1 },
        })
        const controller = new AbortController()
        const sending = transport.send(message(1), { signal: controller.signal })
        await sink.until(() => sink.unanswered.length === 1)
        controller.abort()
        const error = await sending.catch((e: unknown) => e)
        // The data was complete when the abort came: the server may have the message.
        expect(error).toBeInstanceOf(SendError)
        expect(error).toMatchObject({ kind: 'delivery-unknown', deliveryUnknown: true })
        await sink.until(() => sink.closed === 1)
      } finally {
        await sink.stop()
      }
    })

    it('rejects a message aborted before its data was sent with the abort reason', async () => {
      const sink = await startSmtpSink({ onConnect: () => 'stall' })
      try {
        await using transport = createTransport({
          host: '127.0.0.1',
          port: sink.port,
          security: 'none',
        })
        const controller = new AbortController()
        const sending = transport.send(message(1), { signal: controller.signal })
        await sink.until(() => sink.connections === 1)
        controller.abort(new Error('user cancelled'))
        await expect(sending).rejects.toThrow('user cancelled')
        expect(sink.accepted).toEqual([])
      } finally {
        await sink.stop()
      }
    })
  })
})
