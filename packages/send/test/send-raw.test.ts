import { startAiosmtpd, startSmtpSink } from '@mail/testkit'
import { describe, expect, it } from 'vitest'
import { SendError } from '../src/errors.js'
import { createTestTransport } from '../src/test-transport.js'
import { createTransport } from '../src/transport.js'

const eml =
  'From: Shop <shop@example.com>\r\nTo: alice@example.org\r\nSubject: Ready\r\n' +
  'Message-ID: <ready-1@example.com>\r\n\r\nA ready message.\r\n.starts with a dot\r\n'
const envelope = { from: 'bounces@example.com', to: ['alice@example.org', 'audit@example.net'] }

describe('transport.sendRaw', () => {
  it('sends ready bytes to the envelope given, unchanged, and reports the Message-ID', async () => {
    const server = await startAiosmtpd()
    try {
      await using transport = createTransport(`smtp://127.0.0.1:${server.port}?security=none`)
      const info = await transport.sendRaw(envelope, new TextEncoder().encode(eml))
      expect(info).toEqual({
        messageId: '<ready-1@example.com>',
        envelope,
        accepted: envelope.to,
        rejected: [],
        response: expect.stringMatching(/^250/),
      })
      const [received] = await server.waitFor(1)
      expect(received!.mailFrom).toBe('bounces@example.com')
      expect(received!.rcptTos).toEqual(envelope.to)
      expect(received!.data.toString('latin1')).toBe(eml)
    } finally {
      await server.stop()
    }
  })

  it('reports no Message-ID for a message without one', async () => {
    const transport = createTestTransport()
    const info = await transport.sendRaw(envelope, 'Subject: none\r\n\r\nHi\r\n')
    expect('messageId' in info).toBe(false)
    expect(transport.messages[0]).toMatchObject({
      raw: 'Subject: none\r\n\r\nHi\r\n',
      envelope,
      messageId: undefined,
    })
  })

  it('retries a transient refusal through the pool like any message', async () => {
    const sink = await startSmtpSink({
      onMessage: ({ seenBefore }) => (seenBefore === 0 ? '451 4.3.0 try later' : '250 2.0.0 ok'),
    })
    try {
      await using transport = createTransport({
        host: '127.0.0.1',
        port: sink.port,
        security: 'none',
        retry: { attempts: 2, backoffMs: 1 },
      })
      const info = await transport.sendRaw(envelope, eml)
      expect(info.response).toBe('250 2.0.0 ok')
      expect(sink.replies.map((r) => r.reply)).toEqual(['451 4.3.0 try later', '250 2.0.0 ok'])
    } finally {
      await sink.stop()
    }
  })

  it('checks the envelope as for send and refuses what is not a message, naming the field', async () => {
    const transport = createTestTransport()
    await expect(
      transport.sendRaw({ from: 'a@example.com', to: ['b@example.org>\r\nRCPT TO:<c@x'] }, eml),
    ).rejects.toMatchObject({ kind: 'envelope', field: 'envelope.to[0]' })
    await expect(
      transport.sendRaw({ ...envelope, bcc: ['x@example.org'] } as never, eml),
    ).rejects.toMatchObject({ kind: 'envelope', field: 'envelope.bcc' })
    await expect(transport.sendRaw(envelope, 42 as never)).rejects.toMatchObject({
      kind: 'message',
      field: 'raw',
    })
    await expect(transport.sendRaw(envelope, '')).rejects.toBeInstanceOf(SendError)
    expect(transport.messages).toEqual([])
  })

  it('writes Unicode domains of the envelope in Punycode unless SMTPUTF8 is asked for', async () => {
    const transport = createTestTransport()
    await transport.sendRaw({ from: 'a@exämple.com', to: ['b@bücher.de'] }, eml)
    expect(transport.messages[0]!.envelope).toEqual({
      from: 'a@xn--exmple-cua.com',
      to: ['b@xn--bcher-kva.de'],
    })
    await transport.sendRaw({ from: 'a@exämple.com', to: ['b@bücher.de'], smtputf8: true }, eml)
    expect(transport.messages[1]!.envelope).toEqual({ from: 'a@exämple.com', to: ['b@bücher.de'] })
  })
})
