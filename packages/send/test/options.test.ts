import { afterEach, describe, expect, it, vi } from 'vitest'
import { SendError } from '../src/errors.js'
import { resolveTransport, serverOf, smtpUrlFromEnvironment } from '../src/options.js'
import { sendmail } from '../src/sendmail.js'
import { createTestTransport } from '../src/test-transport.js'

afterEach(() => {
  vi.unstubAllEnvs()
})

describe('resolveTransport', () => {
  it('keeps one connection without pool, never recycled by count', () => {
    const { connect, pool, retry, dkim } = resolveTransport({ host: 'mail.example.com' })
    expect(connect).toEqual({ host: 'mail.example.com' })
    expect(pool.maxConnections).toBe(1)
    expect(pool.maxMessagesPerConnection).toBe(Number.POSITIVE_INFINITY)
    expect(retry).toEqual({ attempts: 3, backoffMs: 1000 })
    expect(dkim).toEqual([])
  })

  it('fills the pool defaults: 5 connections, 100 messages each', () => {
    const { pool } = resolveTransport({ host: 'h', pool: true })
    expect(pool).toMatchObject({ maxConnections: 5, maxMessagesPerConnection: 100 })
    expect(pool.rateLimit).toBeUndefined()
  })

  it('combines a URL with explicit options, the explicit ones winning field by field', () => {
    const ca = '-----BEGIN CERTIFICATE-----'
    const resolved = resolveTransport({
      url: 'smtps://me:s%3Dcret@mail.example.com:2465?rejectUnauthorized=false&maxConnections=3',
      tls: { ca },
      pool: { maxMessagesPerConnection: 7 },
      port: 465,
    })
    expect(resolved.connect).toEqual({
      host: 'mail.example.com',
      port: 465,
      security: 'implicit',
      auth: { user: 'me', pass: 's=cret' },
      tls: { rejectUnauthorized: false, ca },
    })
    expect(resolved.pool).toMatchObject({ maxConnections: 3, maxMessagesPerConnection: 7 })
  })

  it('reads SMTP_URL when no transport is given', () => {
    vi.stubEnv('SMTP_URL', 'smtp://127.0.0.1:2525?security=none')
    expect(smtpUrlFromEnvironment()).toBe('smtp://127.0.0.1:2525?security=none')
    expect(resolveTransport(undefined).connect).toEqual({
      host: '127.0.0.1',
      port: 2525,
      security: 'none',
    })
  })

  it('says what is missing when there is no transport and no SMTP_URL', () => {
    vi.stubEnv('SMTP_URL', '')
    expect(() => resolveTransport(undefined)).toThrow(/SMTP_URL/)
  })

  it.each([
    [{}, 'host'],
    [{ host: '' }, 'host'],
    [{ host: 'h', port: 70000 }, 'port'],
    [{ host: 'h', pool: { maxConnections: 0 } }, 'pool.maxConnections'],
    [{ host: 'h', pool: { rateLimit: { messages: 1, perMs: 0 } } }, 'pool.rateLimit.perMs'],
    [{ host: 'h', retry: { attempts: 0 } }, 'retry.attempts'],
    [{ host: 'h', retry: { backoffMs: -1 } }, 'retry.backoffMs'],
    [{ host: 'h', dkim: { domain: 'example.com', selector: 's' } }, 'dkim.privateKey'],
    [{ host: 'h', dkim: [{ domain: '', selector: 's', privateKey: 'k' }] }, 'dkim[0].domain'],
  ])('rejects %j naming %s', (input, field) => {
    let error: unknown
    try {
      resolveTransport(input as never)
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(SendError)
    expect((error as SendError).field).toBe(field)
  })

  it('points options of other mailers to their equivalent instead of ignoring them', () => {
    expect(() => resolveTransport({ host: 'h', secure: true } as never)).toThrow(
      /security: 'implicit'/,
    )
    expect(() => resolveTransport({ host: 'h', maxConnections: 3 } as never)).toThrow(
      expect.objectContaining({ field: 'maxConnections', message: expect.stringMatching(/pool/) }),
    )
  })

  it('never echoes the password of a bad URL given in options', () => {
    const pass = 'Zx9-very-secret'
    expect(() => resolveTransport({ url: `smtp://u:${pass}@host:0` })).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining(pass) }),
    )
  })

  it('refuses unknown keys, naming them and the options there are', () => {
    const error = (input: unknown) => {
      try {
        resolveTransport(input as never)
      } catch (e) {
        return e as SendError
      }
      throw new Error('accepted')
    }
    expect(error({ host: 'h', hots: 'x' })).toMatchObject({
      kind: 'transport',
      field: 'hots',
      message: expect.stringMatching(/hots is not an option of @mail\/send \(options: host, port/),
    })
    expect(error({ host: 'h', pool: { maxConnection: 2 } })).toMatchObject({
      field: 'pool.maxConnection',
      message: expect.stringMatching(/pool: maxConnections/),
    })
    expect(
      error({ host: 'h', pool: { rateLimit: { messages: 1, perMs: 1, burst: 2 } } }),
    ).toMatchObject({
      field: 'pool.rateLimit.burst',
    })
    expect(error({ host: 'h', retry: { tries: 2 } })).toMatchObject({ field: 'retry.tries' })
    expect(error({ url: 'smtp://h', connectionTimeout: 5 })).toMatchObject({
      field: 'connectionTimeout',
      message: expect.stringMatching(/timeouts: \{ connect \}/),
    })
    expect(error({ host: 'h', signal: AbortSignal.timeout(1) })).toMatchObject({ field: 'signal' })
  })

  it('checks the test transport options the same way', () => {
    expect(() => createTestTransport({ recrod: false } as never)).toThrow(
      expect.objectContaining({ kind: 'transport', field: 'recrod' }),
    )
    expect(() => createTestTransport({ record: 'no' } as never)).toThrow(
      expect.objectContaining({ field: 'record' }),
    )
  })

  it('refuses an unknown option of a call, before anything is sent', async () => {
    const transport = createTestTransport()
    const message = { from: 'a@example.com', to: 'b@example.org', text: 'x' }
    const refusal = (field: string, call: string) =>
      expect.objectContaining({
        name: 'SendError',
        kind: 'transport',
        field,
        message: expect.stringContaining(`${field} is not an option of ${call}`),
      })
    await expect(transport.send(message, { onprogress: () => {} } as never)).rejects.toEqual(
      refusal('options.onprogress', 'send'),
    )
    const raw = 'Subject: x\r\n\r\nx\r\n'
    const envelope = { from: 'a@example.com', to: ['b@example.org'] }
    await expect(transport.sendRaw(envelope, raw, { sigal: 1 } as never)).rejects.toEqual(
      refusal('options.sigal', 'sendRaw'),
    )
    await expect(sendmail(message, transport, { timeout: 5 } as never)).rejects.toEqual(
      refusal('options.timeout', 'sendmail'),
    )
    expect(() => transport.sendMany([message], { onProgress: () => {} } as never)).toThrow(
      refusal('options.onProgress', 'sendMany'),
    )
    expect(transport.messages).toEqual([])
  })
})

describe('serverOf', () => {
  it('names the host and the port the transport connects to, default port included', () => {
    expect(serverOf('smtps://mail.example.com')).toEqual({ host: 'mail.example.com', port: 465 })
    expect(serverOf('smtp://mail.example.com')).toEqual({ host: 'mail.example.com', port: 587 })
    expect(serverOf({ host: '::1', port: 25 })).toEqual({ host: '::1', port: 25 })
    expect(serverOf({ url: 'smtp://[::1]', security: 'implicit' })).toEqual({
      host: '::1',
      port: 465,
    })
  })
})
