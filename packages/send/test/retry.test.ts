import { describe, expect, it } from 'vitest'
import { backoffDelay, MAX_BACKOFF_MS, shouldRetry } from '../src/retry.js'

describe('backoffDelay', () => {
  it('waits backoffMs before the first retry and doubles it for each further retry', () => {
    expect(backoffDelay(1, 1000)).toBe(0)
    expect(backoffDelay(2, 1000)).toBe(1000)
    expect(backoffDelay(3, 1000)).toBe(2000)
    expect(backoffDelay(4, 1000)).toBe(4000)
  })

  it('never waits longer than the cap, even after many attempts', () => {
    expect(backoffDelay(50, 1000)).toBe(MAX_BACKOFF_MS)
    expect(backoffDelay(1000, 1)).toBe(MAX_BACKOFF_MS)
  })

  it('does not wait when backoffMs is 0', () => {
    expect(backoffDelay(5, 0)).toBe(0)
  })
})

describe('shouldRetry', () => {
  it('retries transient failures while attempts remain', () => {
    expect(shouldRetry('transient', 1, 3)).toBe(true)
    expect(shouldRetry('transient', 2, 3)).toBe(true)
    expect(shouldRetry('transient', 3, 3)).toBe(false)
  })

  it('never retries permanent failures or unknown deliveries', () => {
    expect(shouldRetry('permanent', 1, 10)).toBe(false)
    expect(shouldRetry('delivery-unknown', 1, 10)).toBe(false)
  })
})
