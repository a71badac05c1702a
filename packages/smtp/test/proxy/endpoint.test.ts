import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { SmtpError } from '../../src/errors.js'
import { parseProxy, proxyError, proxyLabel } from '../../src/proxy/endpoint.js'

describe('parseProxy', () => {
  it('reads SOCKS5 and HTTP proxy URLs, decoding credentials', () => {
    expect(parseProxy('socks5://me:s%40cret@proxy.corp:1080')).toEqual({
      protocol: 'socks5',
      host: 'proxy.corp',
      port: 1080,
      auth: { user: 'me', pass: 's@cret' },
    })
    expect(parseProxy('socks5h://proxy.corp')).toEqual({
      protocol: 'socks5',
      host: 'proxy.corp',
      port: 1080,
    })
    expect(parseProxy('HTTP://[::1]:3128/')).toEqual({ protocol: 'http', host: '::1', port: 3128 })
    expect(parseProxy('http://u:p%3Aq@10.0.0.1:8080').auth).toEqual({ user: 'u', pass: 'p:q' })
  })

  it('refuses what it cannot use, saying what to write instead', () => {
    const cases: [string, RegExp][] = [
      ['proxy.corp:1080', /proxy must be 'socks5:\/\/\[user:pass@\]host\[:port\]'/],
      [
        'https://proxy.corp:443',
        /scheme must be socks5 or http; TLS to the proxy itself is not supported/,
      ],
      ['socks4://proxy.corp:1080', /only SOCKS5 is supported/],
      ['http://proxy.corp', /needs a port for http:\/\//],
      ['socks5://proxy.corp:0', /port must be a number from 1 to 65535/],
      ['socks5://proxy.corp:99999', /port must be a number from 1 to 65535/],
      ['socks5://proxy.corp:1080/path', /proxy must be/],
      ['socks5://proxy.corp:1080?x=1', /proxy must be/],
      ['socks5://user@proxy.corp', /has a user but no password/],
      ['socks5://:pw@proxy.corp', /must not be empty/],
      ['socks5://u:%E9@proxy.corp', /not valid percent-encoding/],
      ['socks5://u:%C3%A9@proxy.corp', /printable ASCII/],
      ['http://u%3Av:p@proxy.corp:1', /must not contain ':'/],
      ['socks5://[zz]:1080', /not a valid IPv6/],
      ['socks5://:1080', /has no host/],
      ['socks5://proxy corp:1080', /proxy must be/],
    ]
    for (const [url, message] of cases) {
      expect(() => parseProxy(url), url).toThrow(message)
      expect(() => parseProxy(url)).toThrow(SmtpError)
    }
    expect(() => parseProxy(42)).toThrow(/proxy must be/)
  })

  it('gives back any user and password percent-encoded into the URL', () => {
    const text = fc.stringMatching(/^[\x20-\x7e]{1,40}$/)
    fc.assert(
      fc.property(text, text, (user, pass) => {
        const url = `socks5://${encodeURIComponent(user)}:${encodeURIComponent(pass)}@proxy.corp:1080`
        expect(parseProxy(url).auth).toEqual({ user, pass })
      }),
    )
  })

  it('never quotes the URL in an error, whatever is wrong with it', () => {
    const secret = fc.stringMatching(/^[A-Za-z0-9]{8,20}$/)
    fc.assert(
      fc.property(secret, fc.string(), fc.string(), (pass, before, after) => {
        const url = `${before}://u:${pass}@${after}`
        try {
          parseProxy(url)
        } catch (e) {
          expect((e as Error).message).not.toContain(pass)
        }
      }),
    )
  })
})

describe('proxyLabel and proxyError', () => {
  it('name the proxy and the step, transient or not', () => {
    const proxy = parseProxy('http://u:pw-secret@[2001:db8::1]:3128')
    expect(proxyLabel(proxy)).toBe('HTTP proxy [2001:db8::1]:3128')
    const e = proxyError(proxy, 'CONNECT to smtp.example.com:587', 'HTTP 502 Bad Gateway', true)
    expect(e).toMatchObject({
      message:
        'HTTP proxy [2001:db8::1]:3128 failed at CONNECT to smtp.example.com:587: HTTP 502 Bad Gateway',
      stage: 'connect',
      transient: true,
    })
  })
})
