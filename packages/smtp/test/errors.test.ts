import { describe, expect, it } from 'vitest'
import { inputError, SmtpError } from '../src/errors.js'

describe('SmtpError', () => {
  it('marks 4xx transient and 5xx permanent', () => {
    expect(new SmtpError('x', { stage: 'rcpt', code: 450 })).toMatchObject({
      transient: true,
      permanent: false,
    })
    expect(new SmtpError('x', { stage: 'rcpt', code: 550 })).toMatchObject({
      transient: false,
      permanent: true,
    })
  })

  it('lets a connection loss be transient without a code and keeps delivery known by default', () => {
    const e = new SmtpError('lost', { stage: 'data', transient: true })
    expect(e).toMatchObject({
      transient: true,
      permanent: false,
      deliveryUnknown: false,
      code: undefined,
    })
    expect(e).toBeInstanceOf(Error)
    expect(e.name).toBe('SmtpError')
  })

  it('reports bad input with stage input, neither transient nor permanent', () => {
    expect(inputError('from is bad')).toMatchObject({
      stage: 'input',
      transient: false,
      permanent: false,
      message: 'from is bad',
    })
  })
})
