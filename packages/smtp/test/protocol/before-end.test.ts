import { describe, expect, it } from 'vitest'
import { readySession } from '../helpers/transcript.js'

// `beforeEnd`: awaited before the end of the message data is written; a rejection abandons the
// message without that end, so nothing is delivered.

const MSG = 'Subject: hi\r\n\r\nbody\r\n'
const ENV = { from: 'a@example.com', to: ['b@example.org'] }

/** A beforeEnd the test settles by hand, counting its calls. */
function gate() {
  let open!: () => void
  let fail!: (e: Error) => void
  const g = {
    calls: 0,
    hook: () => {
      g.calls++
      return new Promise<void>((resolve, reject) => {
        open = resolve
        fail = reject
      })
    },
    open: async () => {
      open()
      await settled()
    },
    fail: async (e: Error) => {
      fail(e)
      await settled()
    },
  }
  return g
}
const settled = () => new Promise((r) => setTimeout(r, 0))

describe('beforeEnd with DATA', () => {
  it('holds the final dot until it resolves, and the next transaction behind it', async () => {
    const t = readySession(['PIPELINING'])
    const g = gate()
    const first = t.send(ENV, MSG, g.hook)
    const second = t.send({ ...ENV, to: ['c@example.org'] }, MSG)
    expect(t.take()).toEqual(['MAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.org>\r\nDATA\r\n'])
    t.server('250 ok', '250 ok', '354 go')
    expect(g.calls).toBe(1)
    expect(t.take()).toEqual([MSG])
    expect(t.awaiting).toBeUndefined()
    await g.open()
    expect(t.take()).toEqual([
      '.\r\nMAIL FROM:<a@example.com>\r\nRCPT TO:<c@example.org>\r\nDATA\r\n',
    ])
    t.server('250 first', '250 ok', '250 ok', '354 go', '250 second')
    expect(first.result?.response).toBe('250 first')
    expect(second.result?.response).toBe('250 second')
  })

  it('abandons the message without its end when it rejects, closing the connection', async () => {
    const t = readySession(['PIPELINING'])
    const g = gate()
    const first = t.send(ENV, MSG, g.hook)
    const second = t.send(ENV, MSG)
    t.take()
    t.server('250 ok', '250 ok', '354 go')
    expect(t.take()).toEqual([MSG])
    const cause = new Error('journal unavailable')
    await g.fail(cause)
    expect(first.error).toMatchObject({
      stage: 'data',
      command: 'DATA',
      transient: true,
      deliveryUnknown: false,
      cause,
    })
    expect(first.error?.message).toMatch(
      /abandoned before its end: beforeEnd failed: journal unavailable/,
    )
    expect(second.error).toMatchObject({ transient: true, deliveryUnknown: false })
    expect(t.take()).toEqual([])
    expect(t.events).toContain('destroy')
    expect(t.session.usable).toBe(false)
  })

  it('is not called when every recipient is refused', async () => {
    const t = readySession(['PIPELINING'])
    const g = gate()
    const out = t.send(ENV, MSG, g.hook)
    t.take()
    t.server('250 ok', '550 5.1.1 no such user', '554 5.5.1 no valid recipients')
    await settled()
    expect(g.calls).toBe(0)
    expect(out.error?.stage).toBe('rcpt')
  })

  it('writes nothing when the connection is lost while it runs, and delivery is known', async () => {
    const t = readySession(['PIPELINING'])
    const g = gate()
    const out = t.send(ENV, MSG, g.hook)
    t.take()
    t.server('250 ok', '250 ok', '354 go')
    t.take()
    t.session.connectionLost(new Error('reset'))
    await g.open()
    expect(t.take()).toEqual([])
    expect(out.error).toMatchObject({ stage: 'data', deliveryUnknown: false, transient: true })
  })

  it('once it resolved and the end was written, a loss leaves delivery unknown', async () => {
    const t = readySession(['PIPELINING'])
    const g = gate()
    const out = t.send(ENV, MSG, g.hook)
    t.server('250 ok', '250 ok', '354 go')
    await g.open()
    t.session.connectionLost(new Error('reset'))
    expect(out.error).toMatchObject({ deliveryUnknown: true, stage: 'message' })
  })

  it('is awaited without PIPELINING too', async () => {
    const t = readySession([])
    const g = gate()
    const out = t.send(ENV, MSG, g.hook)
    t.server('250 ok')
    t.server('250 ok')
    t.server('354 go')
    expect(t.take()).toEqual([
      'MAIL FROM:<a@example.com>\r\n',
      'RCPT TO:<b@example.org>\r\n',
      'DATA\r\n',
      MSG,
    ])
    await g.open()
    expect(t.take()).toEqual(['.\r\n'])
    t.server('250 done')
    expect(out.result?.response).toBe('250 done')
  })
})

describe('beforeEnd with BDAT', () => {
  const n = Buffer.byteLength(MSG)

  it('sends the content in chunks of their own and the end as BDAT 0 LAST once it resolves', async () => {
    const t = readySession(['PIPELINING', 'CHUNKING'])
    const g = gate()
    const first = t.send(ENV, MSG, g.hook)
    const second = t.send(ENV, MSG)
    expect(t.take()).toEqual([
      `MAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.org>\r\nBDAT ${n}\r\n${MSG}`,
    ])
    t.server('250 ok', '250 ok')
    expect(g.calls).toBe(0)
    t.server(`250 ${n} octets`)
    expect(g.calls).toBe(1)
    expect(t.take()).toEqual([])
    await g.open()
    expect(t.take()).toEqual([
      `BDAT 0 LAST\r\nRSET\r\nMAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.org>\r\nBDAT ${n} LAST\r\n${MSG}`,
    ])
    t.server('250 queued', '250 reset', '250 ok', '250 ok', '250 second')
    expect(first.result?.response).toBe('250 queued')
    expect(second.result?.response).toBe('250 second')
  })

  it('abandons with RSET when it rejects: the chunks are discarded and the connection stays', async () => {
    const t = readySession(['PIPELINING', 'CHUNKING'])
    const g = gate()
    const out = t.send(ENV, MSG, g.hook)
    t.take()
    t.server('250 ok', '250 ok', '250 chunk')
    await g.fail(new Error('no'))
    expect(out.error).toMatchObject({ stage: 'data', command: 'BDAT', transient: true })
    expect(t.session.usable).toBe(true)
    expect(t.take()).toEqual([])
    t.send(ENV, MSG)
    expect(t.take()).toEqual([
      `RSET\r\nMAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.org>\r\nBDAT ${n} LAST\r\n${MSG}`,
    ])
  })

  it('goes chunk by chunk without PIPELINING, then runs before the last', async () => {
    const t = readySession(['CHUNKING'], { chunkSize: 8 })
    const g = gate()
    const out = t.send(ENV, 'abcdefghij\r\n', g.hook)
    t.server('250 ok')
    t.server('250 ok')
    expect(t.take()).toEqual([
      'MAIL FROM:<a@example.com>\r\n',
      'RCPT TO:<b@example.org>\r\n',
      'BDAT 8\r\nabcdefgh',
    ])
    t.server('250 chunk')
    expect(t.take()).toEqual(['BDAT 4\r\nij\r\n'])
    expect(g.calls).toBe(0)
    t.server('250 chunk')
    expect(g.calls).toBe(1)
    await g.open()
    expect(t.take()).toEqual(['BDAT 0 LAST\r\n'])
    t.server('250 done')
    expect(out.result?.response).toBe('250 done')
  })

  it('is not called when a chunk is refused', async () => {
    const t = readySession(['PIPELINING', 'CHUNKING'])
    const g = gate()
    const out = t.send(ENV, MSG, g.hook)
    t.server('250 ok', '550 5.1.1 unknown', '554 5.5.1 no valid recipients')
    await settled()
    expect(g.calls).toBe(0)
    expect(out.error?.stage).toBe('rcpt')
  })
})
