import { describe, expect, it } from 'vitest'
import { readySession } from '../helpers/transcript.js'

const MSG = 'Subject: hi\r\n\r\nbody\r\n'

describe('Transaction', () => {
  it('pipelines MAIL, every RCPT and DATA in one write and reports partial acceptance', () => {
    const t = readySession(['PIPELINING'])
    const out = t.send(
      { from: 'a@example.com', to: ['b@example.org', 'c@example.org', 'd@example.org'] },
      MSG,
    )
    expect(t.take()).toEqual([
      'MAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.org>\r\nRCPT TO:<c@example.org>\r\nRCPT TO:<d@example.org>\r\nDATA\r\n',
    ])
    t.server('250 ok', '250 ok', '450 4.2.1 busy', '550 5.1.1 unknown', '354 go')
    expect(t.take()).toEqual([`${MSG}.\r\n`])
    t.server('250 2.0.0 queued as 1')
    expect(out.result).toEqual({
      accepted: ['b@example.org'],
      rejected: [
        { address: 'c@example.org', code: 450, enhancedCode: '4.2.1', message: 'busy' },
        { address: 'd@example.org', code: 550, enhancedCode: '5.1.1', message: 'unknown' },
      ],
      response: '250 2.0.0 queued as 1',
    })
  })

  it("sends the next transaction's commands in the same write as the previous end of data", () => {
    const t = readySession(['PIPELINING'])
    const first = t.send({ from: 'a@example.com', to: ['b@example.org'] }, MSG)
    const second = t.send({ from: 'a@example.com', to: ['c@example.org'] }, MSG)
    expect(t.take()).toEqual(['MAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.org>\r\nDATA\r\n'])
    t.server('250 ok', '250 ok', '354 go')
    expect(t.take()).toEqual([
      `${MSG}.\r\nMAIL FROM:<a@example.com>\r\nRCPT TO:<c@example.org>\r\nDATA\r\n`,
    ])
    t.server('250 first', '250 ok', '250 ok', '354 go')
    expect(first.result?.response).toBe('250 first')
    t.server('250 second')
    expect(second.result?.accepted).toEqual(['c@example.org'])
  })

  it('sends one command at a time without PIPELINING', () => {
    const t = readySession([])
    const out = t.send({ from: 'a@example.com', to: ['b@example.org', 'c@example.org'] }, MSG)
    expect(t.take()).toEqual(['MAIL FROM:<a@example.com>\r\n'])
    t.server('250 ok')
    expect(t.take()).toEqual(['RCPT TO:<b@example.org>\r\n'])
    t.server('250 ok')
    expect(t.take()).toEqual(['RCPT TO:<c@example.org>\r\n'])
    t.server('250 ok')
    expect(t.take()).toEqual(['DATA\r\n'])
    t.server('354 go')
    expect(t.take()).toEqual([`${MSG}.\r\n`])
    t.server('250 done')
    expect(out.result?.accepted).toEqual(['b@example.org', 'c@example.org'])
  })

  it('rejects when every recipient is refused, then resets before the next transaction', () => {
    const t = readySession(['PIPELINING'])
    const out = t.send({ from: 'a@example.com', to: ['b@example.org', 'c@example.org'] }, MSG)
    t.take()
    t.server('250 ok', '550 5.1.1 no b', '450 4.7.1 later', '554 5.5.1 no valid recipients')
    // The code is the permanent refusal's, so code, transient and permanent agree.
    expect(out.error).toMatchObject({
      stage: 'rcpt',
      code: 550,
      enhancedCode: '5.1.1',
      transient: false,
      permanent: true,
    })
    expect(out.error?.rejected?.map((r) => r.code)).toEqual([550, 450])
    expect(t.session.usable).toBe(true)
    t.send({ from: 'a@example.com', to: ['d@example.org'] }, MSG)
    expect(t.take()).toEqual([
      'RSET\r\nMAIL FROM:<a@example.com>\r\nRCPT TO:<d@example.org>\r\nDATA\r\n',
    ])
  })

  it('reports every recipient refused for now as transient, with the last code', () => {
    const t = readySession(['PIPELINING'])
    const out = t.send({ from: 'a@example.com', to: ['b@example.org', 'c@example.org'] }, MSG)
    t.take()
    t.server('250 ok', '451 4.3.0 try b later', '452 4.2.2 c full', '554 5.5.1 no valid recipients')
    expect(out.error).toMatchObject({ code: 452, transient: true, permanent: false })
  })

  it('ends the data with a lone dot when DATA is accepted after every RCPT failed', () => {
    const t = readySession(['PIPELINING'])
    const out = t.send({ from: 'a@example.com', to: ['b@example.org'] }, MSG)
    t.take()
    t.server('250 ok', '550 no', '354 go')
    expect(t.take()).toEqual(['.\r\n'])
    expect(out.error?.stage).toBe('rcpt')
  })

  it('reports a refused DATA with stage data and keeps the connection', () => {
    const t = readySession(['PIPELINING'])
    const out = t.send({ from: 'a@example.com', to: ['b@example.org'] }, MSG)
    t.take()
    t.server('250 ok', '250 ok', '552 5.3.4 too big')
    expect(out.error).toMatchObject({ stage: 'data', code: 552, command: 'DATA', permanent: true })
    expect(t.session.usable).toBe(true)
  })

  it('fails the current and queued sends on 421, and the client is no longer usable', () => {
    const t = readySession(['PIPELINING'])
    const a = t.send({ from: 'a@example.com', to: ['b@example.org'] }, MSG)
    const b = t.send({ from: 'a@example.com', to: ['b@example.org'] }, MSG)
    t.server('421 4.4.2 timeout')
    expect(a.error).toMatchObject({
      code: 421,
      stage: 'mail',
      transient: true,
      deliveryUnknown: false,
    })
    expect(b.error?.transient).toBe(true)
    expect(t.session.usable).toBe(false)
  })

  it('marks delivery unknown only when the connection is lost after the end of data', () => {
    const t = readySession(['PIPELINING'])
    const a = t.send({ from: 'a@example.com', to: ['b@example.org'] }, MSG)
    const b = t.send({ from: 'a@example.com', to: ['b@example.org'] }, MSG)
    t.server('250 ok', '250 ok', '354 go')
    t.session.connectionLost(new Error('reset'))
    expect(a.error).toMatchObject({ deliveryUnknown: true, transient: true, stage: 'message' })
    expect(b.error).toMatchObject({ deliveryUnknown: false, transient: true })
  })

  it('names the awaited step when a reply times out', () => {
    const t = readySession([])
    const a = t.send({ from: 'a@example.com', to: ['b@example.org'] }, MSG)
    t.server('250 ok')
    expect(t.awaiting?.command).toBe('RCPT TO')
    t.session.timedOut(300000)
    expect(a.error).toMatchObject({ stage: 'rcpt', command: 'RCPT TO', deliveryUnknown: false })
    expect(a.error?.message).toMatch(/Timed out after 300000 ms waiting for the reply to RCPT TO/)
  })

  it('writes a whole BDAT transaction at once and pipelines the next behind it', () => {
    const t = readySession(['PIPELINING', 'CHUNKING'])
    const a = t.send({ from: 'a@example.com', to: ['b@example.org'] }, MSG)
    const b = t.send({ from: 'a@example.com', to: ['c@example.org'] }, MSG)
    const n = Buffer.byteLength(MSG)
    expect(t.take()).toEqual([
      `MAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.org>\r\nBDAT ${n} LAST\r\n${MSG}`,
      `RSET\r\nMAIL FROM:<a@example.com>\r\nRCPT TO:<c@example.org>\r\nBDAT ${n} LAST\r\n${MSG}`,
    ])
    t.server('250 ok', '250 ok', '250 a', '250 reset', '250 ok', '250 ok', '250 b')
    expect(a.result?.response).toBe('250 a')
    expect(b.result?.response).toBe('250 b')
  })

  it('uses DATA despite CHUNKING when asked to', () => {
    const t = readySession(['PIPELINING', 'CHUNKING'], { preferData: true })
    t.send({ from: 'a@example.com', to: ['b@example.org'] }, MSG)
    expect(t.take()).toEqual(['MAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.org>\r\nDATA\r\n'])
  })

  it('sends large messages as several bounded BDAT chunks', () => {
    const t = readySession(['PIPELINING', 'CHUNKING'], { chunkSize: 8 })
    const out = t.send({ from: 'a@example.com', to: ['b@example.org'] }, 'line one\nline two\r\n')
    expect(t.take()).toEqual([
      'MAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.org>\r\nBDAT 8\r\nline oneBDAT 9\r\n\r\nline twBDAT 3 LAST\r\no\r\n',
    ])
    t.server('250 ok', '250 ok', '250 chunk', '250 chunk', '250 done')
    expect(out.result?.response).toBe('250 done')
  })

  it('reads one reply per accepted recipient in LMTP', () => {
    const t = readySession(['PIPELINING'], { lmtp: true })
    const out = t.send({ from: 'a@example.com', to: ['b@x.org', 'c@x.org', 'd@x.org'] }, MSG)
    t.server('250 ok', '250 ok', '550 no c', '250 ok', '354 go')
    t.server('250 b delivered')
    expect(out.result).toBeUndefined()
    t.server('452 4.2.2 d over quota')
    expect(out.result).toEqual({
      accepted: ['b@x.org'],
      rejected: [
        { address: 'c@x.org', code: 550, message: 'no c' },
        { address: 'd@x.org', code: 452, enhancedCode: '4.2.2', message: 'd over quota' },
      ],
      response: '452 4.2.2 d over quota',
    })
  })

  it('adds SIZE, BODY=8BITMIME, SMTPUTF8 and DSN parameters when offered', () => {
    const t = readySession(['PIPELINING', 'SIZE 100000', '8BITMIME', 'SMTPUTF8', 'DSN'])
    const raw = 'Subject: é\r\n\r\nß\r\n'
    t.send(
      {
        from: 'ä@example.com',
        to: ['b+x@example.org'],
        dsn: { ret: 'HDRS', envid: 'id=1', notify: ['SUCCESS', 'FAILURE'], orcpt: true },
      },
      raw,
    )
    expect(t.take()).toEqual([
      `MAIL FROM:<ä@example.com> SIZE=${Buffer.byteLength(raw)} BODY=8BITMIME SMTPUTF8 RET=HDRS ENVID=id+3D1\r\n` +
        'RCPT TO:<b+x@example.org> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;b+2Bx@example.org\r\nDATA\r\n',
    ])
  })

  it('sends BDAT chunks one at a time when CHUNKING comes without PIPELINING', () => {
    const t = readySession(['CHUNKING'], { chunkSize: 4 })
    const out = t.send({ from: 'a@example.com', to: ['b@example.org'] }, 'abcdefg\r\n')
    expect(t.take()).toEqual(['MAIL FROM:<a@example.com>\r\n'])
    t.server('250 ok')
    expect(t.take()).toEqual(['RCPT TO:<b@example.org>\r\n'])
    t.server('250 ok')
    expect(t.take()).toEqual(['BDAT 4\r\nabcd'])
    t.server('250 ok')
    expect(t.take()).toEqual(['BDAT 4\r\nefg\r'])
    t.server('250 ok')
    expect(t.take()).toEqual(['BDAT 1 LAST\r\n\n'])
    t.server('250 done')
    expect(out.result?.response).toBe('250 done')
  })

  it('stops sending BDAT chunks after one is refused, and resets before the next send', () => {
    const t = readySession(['CHUNKING'], { chunkSize: 4 })
    const out = t.send({ from: 'a@example.com', to: ['b@example.org'] }, 'abcdefg\r\n')
    t.server('250 ok')
    t.server('250 ok')
    t.server('452 4.3.1 out of space')
    expect(out.error).toMatchObject({ stage: 'data', command: 'BDAT', code: 452, transient: true })
    t.take()
    t.send({ from: 'a@example.com', to: ['b@example.org'] }, 'x\r\n')
    expect(t.take()).toEqual(['RSET\r\n'])
    t.server('250 reset')
    expect(t.take()).toEqual(['MAIL FROM:<a@example.com>\r\n'])
  })

  it('reads one reply per accepted recipient after BDAT LAST in LMTP', () => {
    const t = readySession(['PIPELINING', 'CHUNKING'], { lmtp: true })
    const out = t.send({ from: 'a@example.com', to: ['b@x.org', 'c@x.org'] }, MSG)
    t.server('250 ok', '250 ok', '250 ok', '250 b ok', '550 5.2.1 c disabled')
    expect(out.result).toMatchObject({
      accepted: ['b@x.org'],
      rejected: [{ address: 'c@x.org', code: 550, enhancedCode: '5.2.1', message: 'c disabled' }],
    })
  })

  it('queues RSET and NOOP and closes after QUIT', async () => {
    const { ControlCommand } = await import('../../src/protocol/control.js')
    const t = readySession([])
    const seen: string[] = []
    t.session.enqueue(
      new ControlCommand(
        t.session,
        'NOOP',
        () => seen.push('noop'),
        () => {},
      ),
    )
    t.session.enqueue(
      new ControlCommand(
        t.session,
        'QUIT',
        () => seen.push('quit'),
        () => {},
      ),
    )
    expect(t.take()).toEqual(['NOOP\r\n'])
    t.server('250 ok')
    expect(t.take()).toEqual(['QUIT\r\n'])
    t.server('221 bye')
    expect(seen).toEqual(['noop', 'quit'])
    expect(t.events).toContain('close')
    expect(t.session.usable).toBe(false)
  })
})
