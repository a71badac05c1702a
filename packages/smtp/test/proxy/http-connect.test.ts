import { describe, expect, it } from 'vitest'
import { connectRefusal, connectRequest, parseConnectReply } from '../../src/proxy/http-connect.js'

const bytes = (s: string) => Uint8Array.from(Buffer.from(s, 'latin1'))

describe('connectRequest', () => {
  it('asks for the authority, brackets IPv6 and sends Basic credentials as UTF-8', () => {
    expect(connectRequest('smtp.example.com', 587, undefined)).toBe(
      'CONNECT smtp.example.com:587 HTTP/1.1\r\nHost: smtp.example.com:587\r\n\r\n',
    )
    expect(connectRequest('::1', 25, { user: 'jörg', pass: 'p:w' })).toBe(
      `CONNECT [::1]:25 HTTP/1.1\r\nHost: [::1]:25\r\nProxy-Authorization: Basic ${Buffer.from('jörg:p:w').toString('base64')}\r\n\r\n`,
    )
  })
})

describe('parseConnectReply', () => {
  it('waits for the end of the header, then says where the tunnel bytes begin', () => {
    expect(parseConnectReply(bytes('HTTP/1.1 200 Connection established\r\n'))).toBeUndefined()
    const reply = 'HTTP/1.0 200 Connection established\r\nProxy-agent: x\r\n\r\n'
    expect(parseConnectReply(bytes(`${reply}220 hi\r\n`))).toEqual({
      status: 200,
      reason: 'Connection established',
      length: reply.length,
    })
    expect(parseConnectReply(bytes('HTTP/1.1 407\r\n\r\n'))).toMatchObject({
      status: 407,
      reason: '',
    })
  })

  it('keeps the reason printable and refuses what is not HTTP or never ends', () => {
    expect(parseConnectReply(bytes('HTTP/1.1 502 Bad\x1b[31m Gateway\r\n\r\n'))?.reason).toBe(
      'Bad[31m Gateway',
    )
    expect(() => parseConnectReply(bytes('220 smtp.example.com ESMTP\r\n\r\n'))).toThrow(/not HTTP/)
    expect(() => parseConnectReply(bytes(`HTTP/1.1 200 OK\r\n${'X: y\r\n'.repeat(4000)}`))).toThrow(
      /no end of header/,
    )
  })
})

describe('connectRefusal', () => {
  const reply = (status: number, reason = '') => ({ status, reason, length: 0 })
  it('makes credentials and policy permanent and 5xx transient', () => {
    expect(connectRefusal(reply(407, 'Proxy Authentication Required'), false)).toEqual({
      detail:
        'the proxy requires a user name and password (http://user:pass@host:port) (HTTP 407 Proxy Authentication Required)',
      transient: false,
    })
    expect(connectRefusal(reply(401), true)).toEqual({
      detail: 'the proxy refused the user name or password (HTTP 401)',
      transient: false,
    })
    expect(connectRefusal(reply(403, 'Forbidden'), true)).toMatchObject({ transient: false })
    expect(connectRefusal(reply(502, 'Bad Gateway'), true)).toEqual({
      detail: 'HTTP 502 Bad Gateway',
      transient: true,
    })
    expect(connectRefusal(reply(400), true)).toMatchObject({ transient: false })
  })
})
