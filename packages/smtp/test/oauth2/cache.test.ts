import { describe, expect, it } from 'vitest'
import { type IssuedToken, TokenCache } from '../../src/oauth2/cache.js'

/** A cache over a counter of requests whose answers the test releases. */
function setup(expiresIn: number | undefined) {
  let clock = 0
  const requests: ((t: IssuedToken) => void)[] = []
  const failures: ((e: Error) => void)[] = []
  const cache = new TokenCache(
    () =>
      new Promise<IssuedToken>((resolve, reject) => {
        requests.push(resolve)
        failures.push(reject)
      }),
    () => clock,
  )
  const answer = (n: number) => requests[n]?.({ accessToken: `t${n}`, expiresIn })
  return {
    cache,
    requests,
    failures,
    answer,
    tick: (ms: number) => {
      clock += ms
    },
  }
}

describe('TokenCache', () => {
  it('makes one request for any number of concurrent callers', async () => {
    const s = setup(3600)
    const all = Promise.all([s.cache.get({}), s.cache.get({}), s.cache.get(undefined)])
    expect(s.requests).toHaveLength(1)
    s.answer(0)
    expect(await all).toEqual(['t0', 't0', 't0'])
    expect(await s.cache.get({})).toBe('t0')
    expect(s.requests).toHaveLength(1)
  })

  it('renews 60 s before expiry for long-lived tokens', async () => {
    const s = setup(3600)
    const first = s.cache.get({})
    s.answer(0)
    await first
    s.tick(3540_000 - 1)
    expect(await s.cache.get({})).toBe('t0')
    s.tick(1)
    const second = s.cache.get({})
    expect(s.requests).toHaveLength(2)
    s.answer(1)
    expect(await second).toBe('t1')
  })

  it.each([
    {
      title: 'renews a tenth of the lifetime before expiry for short-lived tokens',
      answeredAfter: 0,
      renewsAfter: 90_000,
    },
    {
      title: 'counts the lifetime from when the request left',
      answeredAfter: 30_000,
      renewsAfter: 60_000,
    },
  ])('$title', async ({ answeredAfter, renewsAfter }) => {
    const s = setup(100)
    const first = s.cache.get({})
    s.tick(answeredAfter)
    s.answer(0)
    await first
    s.tick(renewsAfter - 1)
    expect(await s.cache.get({})).toBe('t0')
    s.tick(1)
    void s.cache.get({})
    expect(s.requests).toHaveLength(2)
  })

  it('renews on `expired` only when that is still the cached token', async () => {
    const s = setup(3600)
    const first = s.cache.get({})
    s.answer(0)
    await first
    expect(await s.cache.get({ expired: 'an older token' })).toBe('t0')
    expect(s.requests).toHaveLength(1)
    // Four connections refused the same token at once: one request serves them all.
    const renewed = Promise.all([1, 2, 3, 4].map(() => s.cache.get({ expired: 't0' })))
    expect(s.requests).toHaveLength(2)
    s.answer(1)
    expect(await renewed).toEqual(['t1', 't1', 't1', 't1'])
    // A late refusal of t0 does not throw away t1.
    expect(await s.cache.get({ expired: 't0' })).toBe('t1')
    expect(s.requests).toHaveLength(2)
  })

  it('keeps a token without expires_in until a server refuses it', async () => {
    const s = setup(undefined)
    const first = s.cache.get({})
    s.answer(0)
    await first
    s.tick(365 * 24 * 3600_000)
    expect(await s.cache.get({})).toBe('t0')
    void s.cache.get({ expired: 't0' })
    expect(s.requests).toHaveLength(2)
  })

  it('does not remember a failure: the next caller asks again', async () => {
    const s = setup(3600)
    const a = s.cache.get({})
    const b = s.cache.get({})
    s.failures[0]?.(new Error('down'))
    await expect(a).rejects.toThrow('down')
    await expect(b).rejects.toThrow('down')
    const c = s.cache.get({})
    expect(s.requests).toHaveLength(2)
    s.answer(1)
    expect(await c).toBe('t1')
  })
})
