import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { RateLimiter } from '../src/rate-limit.js'

describe('RateLimiter', () => {
  it('allows `messages` starts at once, then asks to wait until the window has passed', () => {
    let now = 1000
    const limiter = new RateLimiter({ messages: 3, perMs: 100 }, () => now)
    for (let i = 0; i < 3; i++) {
      expect(limiter.delay()).toBe(0)
      limiter.record()
    }
    expect(limiter.delay()).toBe(100)
    now += 40
    expect(limiter.delay()).toBe(60)
    now += 60
    expect(limiter.delay()).toBe(0)
  })

  it('frees one slot per expired start, oldest first', () => {
    let now = 0
    const limiter = new RateLimiter({ messages: 2, perMs: 10 }, () => now)
    limiter.record() // t=0
    now = 5
    limiter.record() // t=5
    now = 10
    expect(limiter.delay()).toBe(0)
    limiter.record() // t=10 replaces t=0
    expect(limiter.delay()).toBe(5) // waits for t=5 to expire
  })

  it('never lets more than `messages` starts into any window of perMs (any schedule)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 50 }),
        fc.array(fc.integer({ min: 0, max: 30 }), { maxLength: 200 }),
        (messages, perMs, steps) => {
          let now = 0
          const limiter = new RateLimiter({ messages, perMs }, () => now)
          const starts: number[] = []
          for (const step of steps) {
            now += step
            // A sender that starts as soon as it is allowed, possibly several at one instant.
            while (limiter.delay() === 0) {
              limiter.record()
              starts.push(now)
            }
          }
          for (let i = messages; i < starts.length; i++) {
            expect(starts[i]! - starts[i - messages]!).toBeGreaterThanOrEqual(perMs)
          }
        },
      ),
    )
  })
})
