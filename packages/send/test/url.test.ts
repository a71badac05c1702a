import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { SendError } from '../src/errors.js'
import { parseSmtpUrl } from '../src/url.js'

function thrown(fn: () => unknown): SendError {
  try {
    fn()
  } catch (error) {
    expect(error).toBeInstanceOf(SendError)
    return error as SendError
  }
  throw new Error('expected a SendError')
}

describe('parseSmtpUrl', () => {
  it('reads host, port, user and password from an smtp URL', () => {
    expect(parseSmtpUrl('smtp://me:secret@mail.example.com:587')).toEqual({
      host: 'mail.example.com',
      port: 587,
      auth: { user: 'me', pass: 'secret' },
    })
  })

  it('leaves security to the client default for smtp and sets implicit TLS for smtps', () => {
    expect(parseSmtpUrl('smtp://mail.example.com').security).toBeUndefined()
    expect(parseSmtpUrl('SMTPS://mail.example.com')).toEqual({
      host: 'mail.example.com',
      security: 'implicit',
    })
  })

  it('percent-decodes the user and the password', () => {
    const options = parseSmtpUrl('smtp://me%40example.com:p%40ss%3Aw%2Fo%3Frd%25@h:25')
    expect(options.auth).toEqual({ user: 'me@example.com', pass: 'p@ss:w/o?rd%' })
  })

  it('takes the last @ of the authority as the end of the password', () => {
    expect(parseSmtpUrl('smtp://me@example.com:p@ss@host').auth).toEqual({
      user: 'me@example.com',
      pass: 'p@ss',
    })
    expect(parseSmtpUrl('smtp://me@example.com:p@ss@host').host).toBe('host')
  })

  it('accepts an IPv6 literal in brackets', () => {
    expect(parseSmtpUrl('smtp://[::1]:2525/')).toEqual({ host: '::1', port: 2525 })
  })

  it('takes the proxy URL percent-encoded in the proxy option', () => {
    const proxy = 'socks5://user:p%40ss@proxy.corp:1080'
    expect(parseSmtpUrl(`smtp://smtp.gmail.com:587?proxy=${encodeURIComponent(proxy)}`)).toEqual({
      host: 'smtp.gmail.com',
      port: 587,
      proxy,
    })
    const e = thrown(() => parseSmtpUrl('smtp://h?proxy=ftp%3A%2F%2Fu%3Asecret%40p'))
    expect(e.field).toBe('option proxy')
    expect(e.message).not.toContain('secret')
  })

  it('applies query options', () => {
    const options = parseSmtpUrl(
      'smtp://127.0.0.1:2525?security=none&name=client.example&lmtp=true&rejectUnauthorized=false' +
        '&maxConnections=4&rateLimit=10/1000&attempts=5&backoffMs=0&commandTimeout=5000&smtputf8',
    )
    expect(options).toEqual({
      host: '127.0.0.1',
      port: 2525,
      security: 'none',
      name: 'client.example',
      lmtp: true,
      tls: { rejectUnauthorized: false },
      pool: { maxConnections: 4, rateLimit: { messages: 10, perMs: 1000 } },
      retry: { attempts: 5, backoffMs: 0 },
      timeouts: { command: 5000 },
      build: { smtputf8: true },
    })
  })

  it('turns pool=true into a pool with default settings', () => {
    expect(parseSmtpUrl('smtp://h?pool=true').pool).toEqual({})
    expect(parseSmtpUrl('smtp://h?pool=false').pool).toBe(false)
  })

  it.each([
    ['ftp://host', 'url'],
    ['host:25', 'url'],
    ['smtp://', 'host'],
    ['smtp://:25', 'host'],
    ['smtp://host:0', 'port'],
    ['smtp://host:65536', 'port'],
    ['smtp://host:25x', 'port'],
    ['smtp://host/path', 'url'],
    ['smtp://host#frag', 'url'],
    ['smtp://host?security=tls', 'option security'],
    ['smtp://host?lmtp=maybe', 'option lmtp'],
    ['smtp://host?nope=1', 'option nope'],
    ['smtp://host?slowDownMs=x', 'option slowDownMs'],
    ['smtp://host?security=none&security=none', 'option security'],
    ['smtp://host?maxConnections=0', 'option maxConnections'],
    ['smtp://host?rateLimit=10', 'option rateLimit'],
    ['smtp://host?pool=false&maxConnections=2', 'option maxConnections'],
    ['smtp://[::1', 'host'],
    ['smtp://ho st', 'url'],
    ['smtp://user@host', 'url'],
    ['smtp://:pass@host', 'user'],
    ['smtp://u:%E0%A4%A@host', 'password'],
  ])('rejects %s naming %s', (url, field) => {
    const error = thrown(() => parseSmtpUrl(url))
    expect(error.kind).toBe('transport')
    expect(error.field).toBe(field)
    expect(error.message).toContain(field)
  })

  it('refuses C1 controls, line separators, bidi controls and lone surrogates in ?name= and in the URL', () => {
    for (const encoded of ['%C2%85', '%C2%9B', '%E2%80%A8', '%E2%80%AE', 'a%09b']) {
      expect(thrown(() => parseSmtpUrl(`smtp://h?name=${encoded}`)).field).toBe('option name')
    }
    for (const raw of ['\u0085', '\u2028', '\ud800', 'x\udc00', '\u202e']) {
      expect(thrown(() => parseSmtpUrl(`smtp://h?name=a${raw}`)).field).toBe('url')
    }
    expect(parseSmtpUrl('smtp://h?name=client.example').name).toBe('client.example')
  })

  it('refuses a ?name= with any control or separator, whatever surrounds it', () => {
    const unsafe = fc.constantFrom(
      '\u0000',
      '\u001f',
      '\u007f',
      '\u0085',
      '\u009f',
      '\u2028',
      '\u2029',
      '\u200e',
      '\u2066',
    )
    const safe = fc.stringMatching(/^[a-z0-9.-]{0,10}$/)
    fc.assert(
      fc.property(safe, unsafe, safe, (before, bad, after) => {
        const error = thrown(() =>
          parseSmtpUrl(`smtp://h?name=${encodeURIComponent(before + bad + after)}`),
        )
        expect(error.field).toBe('option name')
      }),
    )
  })

  it('explains an unescaped / ? or # in the password without echoing it', () => {
    const error = thrown(() => parseSmtpUrl('smtp://user:Xq7/zZ@host'))
    expect(error.message).toMatch(/percent-encode/)
    expect(error.message).not.toContain('Xq7')
    expect(error.message).not.toContain('zZ')
  })

  it('round-trips any password and user percent-encoded with encodeURIComponent', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, unit: 'grapheme' }),
        fc.string({ unit: 'grapheme' }),
        (user, pass) => {
          const url = `smtps://${encodeURIComponent(user)}:${encodeURIComponent(pass)}@mail.example.com:465`
          const options = parseSmtpUrl(url)
          expect(options.auth).toEqual({ user, pass })
          expect(options.host).toBe('mail.example.com')
          expect(options.port).toBe(465)
        },
      ),
    )
  })

  it('never puts the password in the message of any error', () => {
    const broken = fc.constantFrom(
      (p: string) => `smtp://user:${p}@host:99999`,
      (p: string) => `smtp://user:${p}@host?bogus=1`,
      (p: string) => `smtp://user:${p}@host/path`,
      (p: string) => `smtp://user:${p}@`,
      (p: string) => `smtp://user:${p}@host?security=${p}`,
      (p: string) => `smtp://user:${p}@h?rateLimit=${p}`,
      (p: string) => `smtp://user:${p}@h?name=${p}`,
      (p: string) => `smtp://user:${p}@ho st`,
      (p: string) => `smtp://user:${p}`,
      (p: string) => `smtp://user:${p}host`,
    )
    // Passwords long and random enough not to be substrings of our fixed wording.
    const password = fc.string({ minLength: 12, maxLength: 40 }).filter((p) => /[0-9]/.test(p))
    fc.assert(
      fc.property(password, broken, fc.boolean(), (pass, make, encode) => {
        const url = make(encode ? encodeURIComponent(pass) : pass)
        let message = ''
        try {
          parseSmtpUrl(url)
        } catch (error) {
          message = String((error as Error).message) + String((error as Error).stack)
        }
        expect(message).not.toContain(pass)
        expect(message).not.toContain(encodeURIComponent(pass))
      }),
    )
  })
})
