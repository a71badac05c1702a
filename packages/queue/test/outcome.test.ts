import { SmtpError } from '@mail/send'
import { describe, expect, it } from 'vitest'
import { redisOptions } from '../src/connection.js'
import { QueueError } from '../src/index.js'
import { backoffMs, judge, messageState } from '../src/outcome.js'

const pending = ['a@one.test', 'b@two.test']

describe('judge', () => {
  it('settles accepted and 5xx recipients, keeps 4xx ones for a retry, and names 4.7.x domains', () => {
    const v = judge(pending, {
      info: {
        accepted: ['a@one.test'],
        rejected: [
          { address: 'b@two.test', code: 450, enhancedCode: '4.7.1', message: '450 4.7.1 slow' },
        ],
        response: '250 2.0.0 queued as X',
      },
    })
    expect([...v.settled]).toEqual([
      [
        'a@one.test',
        { status: 'accepted', code: 250, enhancedCode: '2.0.0', response: '250 2.0.0 queued as X' },
      ],
    ])
    expect([...v.transient.keys()]).toEqual(['b@two.test'])
    expect(v.slowDown).toEqual({ all: false, addresses: ['b@two.test'] })
    expect(v.started).toBe(true)
  })

  it('a delivery-unknown failure settles every recipient as unknown', () => {
    const error = new SmtpError('lost after the end of data', {
      stage: 'data',
      deliveryUnknown: true,
    })
    const v = judge(pending, { error })
    expect([...v.settled.values()].map((o) => o.status)).toEqual(['unknown', 'unknown'])
    expect(v.transient.size).toBe(0)
    expect(v.error).toBe('lost after the end of data')
  })

  it('a 5xx of the whole transaction rejects all; a 421 leaves all for a retry and slows the transport', () => {
    const refused = new SmtpError('550 5.7.1 policy', {
      stage: 'data',
      code: 550,
      enhancedCode: '5.7.1',
      response: '550 5.7.1 policy',
    })
    expect([...judge(pending, { error: refused }).settled.values()]).toEqual([
      { status: 'rejected', code: 550, enhancedCode: '5.7.1', response: '550 5.7.1 policy' },
      { status: 'rejected', code: 550, enhancedCode: '5.7.1', response: '550 5.7.1 policy' },
    ])
    const busy = new SmtpError('421 busy', { stage: 'mail', code: 421, response: '421 4.3.2 busy' })
    const v = judge(pending, { error: busy })
    expect(v.settled.size).toBe(0)
    expect([...v.transient.keys()]).toEqual(pending)
    expect(v.slowDown.all).toBe(true)
  })

  it('every recipient refused: each by its own code; a send never started is not an attempt', () => {
    const error = new SmtpError('all refused', {
      stage: 'rcpt',
      code: 550,
      rejected: [
        { address: 'a@one.test', code: 550, message: '550 no' },
        { address: 'b@two.test', code: 451, message: '451 later' },
      ],
    })
    const v = judge(pending, { error })
    expect(v.settled.get('a@one.test')?.status).toBe('rejected')
    expect(v.transient.get('b@two.test')).toEqual({
      status: 'pending',
      code: 451,
      response: '451 later',
    })
    const queued = new SmtpError('connection lost', {
      stage: 'connect',
      transient: true,
      notStarted: true,
    })
    expect(judge(pending, { error: queued }).started).toBe(false)
  })
})

describe('messageState', () => {
  it('follows BullMQ while unsettled, then the recipients', () => {
    const r = (...s: ('accepted' | 'rejected' | 'unknown' | 'pending')[]) =>
      s.map((status) => ({ status }))
    expect(messageState('prioritized', r('pending'))).toBe('waiting')
    expect(messageState('delayed', r('pending'))).toBe('delayed')
    expect(messageState('active', r('pending'))).toBe('active')
    expect(messageState('completed', r('accepted', 'accepted'))).toBe('sent')
    expect(messageState('completed', r('accepted', 'rejected'))).toBe('partial')
    expect(messageState('completed', r('rejected', 'rejected'))).toBe('failed')
    expect(messageState('completed', r('accepted', 'unknown'))).toBe('unknown')
    expect(messageState('failed', r('pending'))).toBe('failed')
  })
})

describe('backoffMs and redisOptions', () => {
  it('doubles the backoff per failure up to a minute', () => {
    expect([1, 2, 3, 20].map((n) => backoffMs(n, 1000))).toEqual([1000, 2000, 4000, 60_000])
  })

  it('reads redis://, rediss:// and unix socket URLs, and names a bad one', () => {
    expect(redisOptions('redis://u:p%40ss@example.net:6380/2')).toEqual({
      host: 'example.net',
      port: 6380,
      username: 'u',
      password: 'p@ss',
      db: 2,
      maxRetriesPerRequest: null,
    })
    expect(redisOptions('rediss://example.net')).toMatchObject({ port: 6379, tls: {} })
    expect(redisOptions('redis+unix:///run/redis.sock?db=1')).toEqual({
      path: '/run/redis.sock',
      db: 1,
      maxRetriesPerRequest: null,
    })
    expect(redisOptions({ path: '/run/r.sock' })).toEqual({
      path: '/run/r.sock',
      maxRetriesPerRequest: null,
    })
    expect(() => redisOptions('localhost:6379')).toThrow(QueueError)
    expect(() => redisOptions('redis://h/x')).toThrow(/connection has a database/)
  })
})
