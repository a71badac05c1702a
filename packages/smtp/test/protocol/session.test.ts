import { describe, expect, it } from 'vitest'
import { readySession, transcript } from '../helpers/transcript.js'

describe('Session', () => {
  it('fails on a malformed reply, naming the awaited step', () => {
    const t = transcript()
    t.server('hello there')
    expect(t.failures[0]).toMatchObject({ stage: 'greeting', transient: true })
    expect(t.failures[0]?.message).toMatch(/Invalid reply/)
  })

  it('fails on a reply nobody asked for', () => {
    const t = readySession([])
    t.server('250 surprise')
    expect(t.failures[0]?.message).toMatch(/Unexpected reply/)
    expect(t.session.usable).toBe(false)
  })

  it('turns an idle close by the server into an unusable session without an error', () => {
    const t = readySession([])
    t.session.connectionLost()
    expect(t.failures).toEqual([])
    expect(t.session.usable).toBe(false)
  })

  it('refuses new work once closed', () => {
    const t = readySession([])
    t.session.connectionLost()
    const out = t.send({ from: 'a@x.org', to: ['b@x.org'] }, 'x\r\n')
    expect(out.error).toMatchObject({ stage: 'connect', transient: true })
    expect(t.writes).toEqual([])
  })

  it('points its timer at the reply awaited first and clears it when idle', () => {
    const t = readySession(['PIPELINING'])
    t.send({ from: 'a@x.org', to: ['b@x.org'] }, 'x\r\n')
    expect(t.awaiting).toMatchObject({ command: 'MAIL FROM', timeout: 'command' })
    t.server('250 ok', '250 ok')
    expect(t.awaiting).toMatchObject({ command: 'DATA', timeout: 'dataInit' })
    t.server('354 go')
    expect(t.awaiting).toMatchObject({ command: 'DATA', stage: 'message', timeout: 'data' })
    t.server('250 done')
    expect(t.awaiting).toBeUndefined()
  })

  it('ends the session on a reply beyond its bounds, naming the step', () => {
    const t = transcript()
    t.server('220 mx')
    t.server(...Array.from({ length: 600 }, () => '250-EXTENSION'))
    expect(t.failures[0]).toMatchObject({ stage: 'ehlo', command: 'EHLO', transient: true })
    expect(t.failures[0]?.message).toMatch(/Reply too long/)
    expect(t.events).toEqual(['destroy'])
  })

  it('fails a transaction whose beforeEnd runs when the server closes, rather than leaving it pending', async () => {
    const t = readySession(['PIPELINING'])
    let release!: () => void
    const out = t.send(
      { from: 'a@x.org', to: ['b@x.org'] },
      'x\r\n',
      () => new Promise((r) => (release = r)),
    )
    t.server('250 ok', '250 ok', '354 go')
    t.session.connectionLost()
    expect(out.error).toMatchObject({ stage: 'data', transient: true, deliveryUnknown: false })
    release()
  })
})
