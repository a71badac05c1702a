import { SmtpError } from '@mail/smtp'
import { describe, expect, it } from 'vitest'
import { backoffDelay, classifyFailure, MAX_BACKOFF_MS, shouldRetry } from '../src/retry.js'

describe('classifyFailure', () => {
  it('calls a 4xx reply transient', () => {
    const error = new SmtpError('451 try later', { stage: 'message', code: 451, command: 'DATA' })
    expect(classifyFailure(error)).toBe('transient')
  })

  it('calls a 5xx reply permanent', () => {
    const error = new SmtpError('550 no such user', { stage: 'rcpt', code: 550 })
    expect(classifyFailure(error)).toBe('permanent')
  })

  it('calls a connection lost before the end of the data transient', () => {
    const error = new SmtpError('connection closed', { stage: 'data', transient: true })
    expect(classifyFailure(error)).toBe('transient')
  })

  it('calls a failure after the final dot delivery-unknown, even though it is transient', () => {
    const error = new SmtpError('connection closed after the data', {
      stage: 'message',
      transient: true,
      deliveryUnknown: true,
    })
    expect(classifyFailure(error)).toBe('delivery-unknown')
  })

  it('calls errors that are not SmtpErrors permanent', () => {
    expect(classifyFailure(new TypeError('bug'))).toBe('permanent')
    expect(classifyFailure('a string')).toBe('permanent')
  })
})

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
