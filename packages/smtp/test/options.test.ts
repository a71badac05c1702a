import { describe, expect, it } from 'vitest'
import { SmtpError } from '../src/errors.js'
import { defaultPort, isLoopback, resolveOptions } from '../src/options.js'

describe('resolveOptions', () => {
  it('defaults to port 587 with STARTTLS required', () => {
    expect(resolveOptions({ host: 'smtp.example.com' })).toMatchObject({
      port: 587,
      security: 'starttls',
      loopback: false,
    })
  })

  it('uses implicit TLS on port 465 and port 465 for implicit TLS', () => {
    expect(resolveOptions({ host: 'smtp.example.com', port: 465 }).security).toBe('implicit')
    expect(resolveOptions({ host: 'smtp.example.com', security: 'implicit' }).port).toBe(465)
  })

  it('exports the default port rule it applies', () => {
    expect(defaultPort('implicit')).toBe(465)
    expect(defaultPort('starttls')).toBe(587)
    expect(defaultPort(undefined)).toBe(587)
  })

  it('is opportunistic on loopback hosts', () => {
    expect(resolveOptions({ host: '127.0.0.1', port: 2525 }).security).toBe(
      'starttls-opportunistic',
    )
    expect(resolveOptions({ host: '::1' }).security).toBe('starttls-opportunistic')
    expect(isLoopback('localhost')).toBe(true)
    expect(isLoopback('[::1]')).toBe(true)
    expect(isLoopback('128.0.0.1')).toBe(false)
  })

  it('follows RFC 5321 4.5.3.2 timeouts by default', () => {
    expect(resolveOptions({ host: 'h' }).timeouts).toEqual({
      connect: 30_000,
      greeting: 300_000,
      command: 300_000,
      dataInit: 120_000,
      data: 600_000,
    })
    expect(resolveOptions({ host: 'h', timeouts: { command: 1000 } }).timeouts.dataInit).toBe(1000)
  })

  it.each([
    [{ host: '' }, /host/],
    [{ host: 'a b' }, /host/],
    [{ host: 'h', port: 0 }, /port/],
    [{ host: 'h', security: 'tls' }, /security/],
    [{ host: 'h', name: 'x\r\nMAIL' }, /name/],
    [{ host: 'h', auth: { user: 'u' } }, /auth/],
    [{ host: 'h', timeouts: { data: -1 } }, /timeouts.data/],
  ])('rejects %j as input', (options, message) => {
    expect(() => resolveOptions(options as never)).toThrow(message)
    expect(() => resolveOptions(options as never)).toThrow(SmtpError)
  })
})
