import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { SmtpError } from '../src/errors.js'
import { CONNECT_OPTION_KEYS, defaultPort, resolveOptions, securityFor } from '../src/options.js'

const inputError = (f: () => unknown): SmtpError => {
  try {
    f()
  } catch (e) {
    expect(e).toBeInstanceOf(SmtpError)
    expect((e as SmtpError).stage).toBe('input')
    return e as SmtpError
  }
  throw new Error('did not throw')
}

describe('resolveOptions', () => {
  it('defaults to port 587 with STARTTLS required away from loopback', () => {
    const resolved = resolveOptions({ host: 'smtp.example.com' })
    expect(resolved).toMatchObject({ port: 587, security: undefined })
    expect(securityFor(resolved, false)).toBe('starttls')
  })

  it('uses implicit TLS on port 465 and port 465 for implicit TLS', () => {
    expect(resolveOptions({ host: 'smtp.example.com', port: 465 }).security).toBe('implicit')
    expect(resolveOptions({ host: 'smtp.example.com', security: 'implicit' }).port).toBe(465)
  })

  it('is opportunistic on a loopback address, and decides it from the address, never the name', () => {
    for (const host of ['127.0.0.1', '::1', 'localhost', 'relay.localhost', 'smtp.example.com']) {
      const resolved = resolveOptions({ host, port: 2525 })
      expect(securityFor(resolved, true)).toBe('starttls-opportunistic')
      expect(securityFor(resolved, false)).toBe('starttls')
    }
    expect(securityFor(resolveOptions({ host: 'localhost', security: 'none' }), false)).toBe('none')
    expect(securityFor(resolveOptions({ host: 'localhost', port: 465 }), true)).toBe('implicit')
  })

  it('exports the default port rule it applies', () => {
    expect(defaultPort('implicit')).toBe(465)
    expect(defaultPort('starttls')).toBe(587)
    expect(defaultPort(undefined)).toBe(587)
  })

  it('follows RFC 5321 4.5.3.2 timeouts by default, but waits 30 s for the greeting', () => {
    expect(resolveOptions({ host: 'h' }).timeouts).toEqual({
      connect: 30_000,
      greeting: 30_000,
      command: 300_000,
      dataInit: 120_000,
      data: 600_000,
    })
    expect(resolveOptions({ host: 'h', timeouts: { command: 1000 } }).timeouts.dataInit).toBe(1000)
  })

  it('waits only seconds for a plaintext greeting on port 465, unless told otherwise', () => {
    const wait = (o: object) => resolveOptions({ host: 'h', ...o }).timeouts.greeting
    expect(wait({ port: 465, security: 'starttls' })).toBe(5_000)
    expect(wait({ port: 465, security: 'none' })).toBe(5_000)
    expect(wait({ port: 465 })).toBe(30_000)
    expect(wait({ port: 465, security: 'none', timeouts: { greeting: 60_000 } })).toBe(60_000)
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

  it.each([
    ['secure', true, /security: 'implicit'/],
    ['requireTLS', true, /security: 'starttls'/],
    ['ignoreTLS', true, /security: 'none'/],
    ['service', 'gmail', /host and port/],
    ['user', 'me', /auth: \{ user, pass \}/],
    ['pass', 'pw', /auth: \{ user, pass \}/],
    ['greetingTimeout', 1000, /timeouts: \{ greeting \}/],
    ['connectionTimeout', 1000, /timeouts: \{ connect \}/],
    ['socketTimeout', 1000, /timeouts: \{ command, data \}/],
    ['localAddress', '10.0.0.1', /not supported/],
    ['logger', true, /onLog/],
    ['debug', true, /onLog/],
    ['authMethod', 'LOGIN', /mechanism/],
    ['pool', true, /@mail\/send/],
  ])('refuses the foreign option %s and says what to write instead', (key, value, instead) => {
    const e = inputError(() => resolveOptions({ host: 'h', [key]: value } as never))
    expect(e.field).toBe(key)
    expect(e.message).toContain(`"${key}"`)
    expect(e.message).toMatch(instead)
  })

  it('parses proxy, and wants an ASCII host to send through it', () => {
    expect(
      resolveOptions({ host: 'smtp.gmail.com', proxy: 'socks5://u:p%40w@proxy.corp' }).proxy,
    ).toEqual({
      protocol: 'socks5',
      host: 'proxy.corp',
      port: 1080,
      auth: { user: 'u', pass: 'p@w' },
    })
    const bad = inputError(() => resolveOptions({ host: 'h', proxy: 'ftp://u:secret@p:1' }))
    expect(bad.field).toBe('proxy')
    expect(bad.message).not.toContain('secret')
    const unicode = inputError(() =>
      resolveOptions({ host: 'bücher.example', proxy: 'http://p:3128' }),
    )
    expect(unicode.field).toBe('host')
    expect(unicode.message).toMatch(/ASCII host name \(Punycode\)/)
  })

  it('accepts a token provider as auth.accessToken, checking only the user up front', () => {
    const accessToken = async () => 'token'
    expect(() => resolveOptions({ host: 'h', auth: { user: 'u', accessToken } })).not.toThrow()
    expect(
      inputError(() => resolveOptions({ host: 'h', auth: { user: 'u\x01', accessToken } })).field,
    ).toBe('auth.user')
  })

  it('refuses unknown keys in timeouts and auth, naming them', () => {
    expect(
      inputError(() => resolveOptions({ host: 'h', timeouts: { greting: 1 } } as never)).field,
    ).toBe('timeouts.greting')
    const e = inputError(() =>
      resolveOptions({ host: 'h', auth: { user: 'u', pass: 'p', type: 'login' } } as never),
    )
    expect(e.field).toBe('auth.type')
    expect(e.message).toMatch(/user, pass/)
  })

  it('refuses any key it does not know, and accepts every key it lists', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), (key) => {
        fc.pre(!CONNECT_OPTION_KEYS.includes(key))
        const e = inputError(() => resolveOptions({ host: 'h', [key]: 1 } as never))
        expect(e.field).toBe(key)
      }),
    )
    expect(CONNECT_OPTION_KEYS).toEqual(
      expect.arrayContaining(['host', 'port', 'security', 'tls', 'auth', 'timeouts', 'signal']),
    )
  })

  it('refuses both a password and a token, and a mechanism that cannot use the credentials', () => {
    expect(
      inputError(() =>
        resolveOptions({ host: 'h', auth: { user: 'u', pass: 'p', accessToken: 't' } } as never),
      ).field,
    ).toBe('auth')
    expect(
      inputError(() =>
        resolveOptions({
          host: 'h',
          auth: { user: 'u', pass: 'p', mechanism: 'XOAUTH2' },
        } as never),
      ).field,
    ).toBe('auth.mechanism')
  })
})
