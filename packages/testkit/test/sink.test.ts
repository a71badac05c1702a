import { connect } from 'node:net'
import { describe, expect, it } from 'vitest'
import { refusingPort, startRejectingServer, startSmtpSink } from '../src/index.js'
import { RawClient } from '../src/raw-client.js'

describe('startSmtpSink', () => {
  it('takes a message over STARTTLS and AUTH and records the transaction', async () => {
    const sink = await startSmtpSink({ starttls: true, auth: { user: 'u', pass: 'p' } })
    try {
      const c = await RawClient.open(sink.port)
      expect(await c.reply()).toMatch(/^220 /)
      expect(await c.command('EHLO x')).toMatch(/250[ -]STARTTLS\r\n/)
      expect(await c.command('MAIL FROM:<a@x.test>')).toMatch(/^530 /)
      expect(await c.command('STARTTLS')).toMatch(/^220 /)
      await c.startTls(sink.ca)
      expect(await c.command('EHLO x')).toContain('250 AUTH PLAIN')
      const plain = Buffer.from('\0u\0p').toString('base64')
      expect(await c.command(`AUTH PLAIN ${plain}`)).toMatch(/^235 /)
      expect(await c.command('MAIL FROM:<a@x.test>')).toMatch(/^250 /)
      expect(await c.command('RCPT TO:<b@x.test>')).toMatch(/^250 /)
      expect(await c.command('DATA')).toMatch(/^354 /)
      expect(await c.command('Message-ID: <one@x>\r\n\r\nHi\r\n.')).toMatch(/^250 /)
      expect(await c.command('QUIT')).toMatch(/^221 /)
      await sink.until(() => sink.closed === 1)
      expect(sink.accepted).toEqual(['<one@x>'])
      expect(sink.transactions).toEqual([
        {
          connection: 1,
          from: 'a@x.test',
          at: expect.any(Number),
          to: ['b@x.test'],
          messageId: '<one@x>',
          outcome: 'accepted',
        },
      ])
    } finally {
      await sink.stop()
    }
  })

  it('names the recipient to a rcpt fault and keeps the accepted ones; replies after replyDelayMs', async () => {
    const seen: string[] = []
    const sink = await startSmtpSink({
      replyDelayMs: 50,
      fault: (step, ctx) => {
        if (step === 'rcpt') seen.push(`${ctx.address} after [${ctx.recipients.join(',')}]`)
        if (step === 'end') seen.push(`end ${ctx.messageId}`)
        return step === 'rcpt' && ctx.address === 'no@x.test' ? '550 5.1.1 no' : undefined
      },
    })
    try {
      const c = await RawClient.open(sink.port)
      await c.reply()
      await c.command('EHLO x')
      await c.command('MAIL FROM:<a@x.test>')
      expect(await c.command('RCPT TO:<b@x.test>')).toMatch(/^250 /)
      expect(await c.command('RCPT TO:<no@x.test>')).toBe('550 5.1.1 no\r\n')
      expect(await c.command('RCPT TO:<c@x.test>')).toMatch(/^250 /)
      await c.command('DATA')
      c.write('Message-ID: <d@x>\r\n\r\nHi\r\n.\r\n')
      let replied = false
      const reply = c.reply().then((r) => {
        replied = true
        return r
      })
      await sink.until(() => seen.includes('end <d@x>'))
      expect(replied).toBe(false)
      expect(await reply).toMatch(/^250 /)
      expect(seen).toEqual([
        'b@x.test after []',
        'no@x.test after [b@x.test]',
        'c@x.test after [b@x.test]',
        'end <d@x>',
      ])
      expect(sink.transactions[0]?.to).toEqual(['b@x.test', 'c@x.test'])
      c.close()
    } finally {
      await sink.stop()
    }
  })

  it('fails the step a fault names, with the attempt number of the reverse-path', async () => {
    const asked: string[] = []
    const sink = await startSmtpSink({
      fault: (step, ctx) => {
        asked.push(`${step}:${ctx.attempt}`)
        if (step === 'mail' && ctx.attempt === 1) return '451 4.3.0 later'
        if (step === 'end' && ctx.attempt === 2) return 'hangup'
        return undefined
      },
    })
    try {
      const c = await RawClient.open(sink.port)
      await c.reply()
      await c.command('EHLO x')
      expect(await c.command('MAIL FROM:<a@x.test>')).toBe('451 4.3.0 later\r\n')
      expect(await c.command('RCPT TO:<b@x.test>')).toMatch(/^503 /)
      expect(await c.command('MAIL FROM:<a@x.test>')).toMatch(/^250 /)
      await c.command('RCPT TO:<b@x.test>')
      await c.command('DATA')
      // Content, its end and the next transaction's MAIL in one write; the sink hangs up.
      c.write('Message-ID: <two@x>\r\n\r\nHi\r\n.\r\nMAIL FROM:<c@x.test>\r\n')
      await sink.until(() => sink.closed === 1)
      expect(sink.transactions.map((t) => [t.from, t.outcome])).toEqual([
        ['a@x.test', 'refused'],
        ['a@x.test', 'taken'],
        ['c@x.test', 'lost'],
      ])
      expect(sink.unanswered).toEqual(['<two@x>'])
      expect(asked).toContain('greeting:0')
      expect(asked).toContain('end:2')
    } finally {
      await sink.stop()
    }
  })
})

describe('refusingPort', () => {
  it('gives a loopback port whose connections are refused until released', async () => {
    const closed = await refusingPort()
    try {
      const error = await new Promise<NodeJS.ErrnoException>((resolve, reject) => {
        const s = connect({ host: '127.0.0.1', port: closed.port })
        s.once('error', resolve)
        s.once('connect', () => reject(new Error('connected')))
      })
      expect(error.code).toBe('ECONNREFUSED')
    } finally {
      await closed.release()
    }
  })
})

describe('startRejectingServer', () => {
  it('refuses the listed recipients with 550 and keeps the messages for the others', async () => {
    const server = await startRejectingServer(['nobody@x.test'])
    try {
      const c = await RawClient.open(server.port)
      await c.reply()
      await c.command('EHLO x')
      await c.command('MAIL FROM:<a@x.test>')
      expect(await c.command('RCPT TO:<nobody@x.test>')).toMatch(/^550 /)
      expect(await c.command('RCPT TO:<b@x.test>')).toMatch(/^250 /)
      await c.command('DATA')
      expect(await c.command('Subject: x\r\n\r\nHi\r\n.')).toMatch(/^250 /)
      expect(server.messages.map((m) => m.toString())).toEqual(['Subject: x\r\n\r\nHi\r\n'])
      c.close()
    } finally {
      await server.stop()
    }
  })
})
