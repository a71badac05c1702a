import { MimeError } from '@mail/mime'
import { SmtpError } from '@mail/smtp'
import { describe, expect, it } from 'vitest'
import { SendError } from '../src/errors.js'
import { classifyFailure, describeFailure } from '../src/failure.js'

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

describe('classifyFailure of a streamed message whose source failed', () => {
  it('calls a source that gave bad content permanent, and a source that broke transient', () => {
    const changed = new MimeError(
      'attachments[0].content',
      'is a Blob of 4 octets, but 3 were read',
    )
    const bad = new SmtpError('The message source failed', {
      stage: 'data',
      transient: true,
      cause: changed,
    })
    expect(classifyFailure(bad)).toBe('permanent')
    const broken = new SmtpError('The message source failed', {
      stage: 'data',
      transient: true,
      cause: new Error('network stream reset'),
    })
    expect(classifyFailure(broken)).toBe('transient')
  })
})

describe('classifyFailure of TLS failures', () => {
  const tls = (cause: unknown) =>
    new SmtpError('TLS handshake after STARTTLS failed', { stage: 'tls', cause })

  it('calls a connection lost or timed out during the handshake transient', () => {
    const reset = Object.assign(new Error('socket disconnected before secure TLS connection'), {
      code: 'ECONNRESET',
    })
    expect(classifyFailure(tls(reset))).toBe('transient')
    expect(classifyFailure(tls(new Error('timed out after 100 ms')))).toBe('transient')
  })

  it('calls the TLS layer verdicts permanent: certificates, protocol mismatches', () => {
    for (const code of [
      'DEPTH_ZERO_SELF_SIGNED_CERT',
      'ERR_TLS_CERT_ALTNAME_INVALID',
      'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
      'ERR_SSL_WRONG_VERSION_NUMBER',
    ]) {
      expect(classifyFailure(tls(Object.assign(new Error(code), { code })))).toBe('permanent')
    }
  })
})

describe('classifyFailure of SendErrors', () => {
  it('keeps delivery unknown and calls the others permanent', () => {
    expect(classifyFailure(new SendError('delivery-unknown', 'x'))).toBe('delivery-unknown')
    expect(classifyFailure(new SendError('closed', 'x'))).toBe('permanent')
    expect(classifyFailure(new SendError('transport', 'x'))).toBe('permanent')
  })

  it('calls bad input to the client permanent even though no reply was given', () => {
    const error = new SmtpError('to[0] is not an address', { stage: 'input' })
    expect(classifyFailure(error)).toBe('permanent')
  })
})

describe('describeFailure', () => {
  it('counts an attempt unless the send never started', () => {
    const lost = new SmtpError('Connection lost', { stage: 'mail', transient: true })
    expect(describeFailure(lost)).toEqual({ kind: 'transient', started: true, slowDown: false })
    const queued = new SmtpError('Connection lost', {
      stage: 'mail',
      transient: true,
      notStarted: true,
    })
    expect(describeFailure(queued)).toEqual({ kind: 'transient', started: false, slowDown: false })
  })

  it('hears "slow down" in a 421 and in any 4.7.x status', () => {
    const closing = new SmtpError('closing', { stage: 'mail', code: 421 })
    expect(describeFailure(closing)).toMatchObject({ kind: 'transient', slowDown: true })
    const rate = new SmtpError('rate', { stage: 'rcpt', code: 451, enhancedCode: '4.7.1' })
    expect(describeFailure(rate).slowDown).toBe(true)
    const busy = new SmtpError('busy', { stage: 'mail', code: 451, enhancedCode: '4.3.0' })
    expect(describeFailure(busy).slowDown).toBe(false)
    expect(describeFailure(new Error('bug'))).toEqual({
      kind: 'permanent',
      started: true,
      slowDown: false,
    })
  })
})
