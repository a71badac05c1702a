import { describe, expect, it } from 'vitest'
import { socksFailure } from '../../src/proxy/socks.js'

describe('socksFailure', () => {
  const target = 'smtp.example.com:587'
  it('reads the SOCKS client messages as steps, details and transience', () => {
    expect(socksFailure('Socks5 Authentication failed', target)).toEqual({
      step: 'authentication',
      detail: 'the proxy refused the user name or password',
      transient: false,
    })
    expect(
      socksFailure(
        'Received invalid Socks5 initial handshake (no accepted authentication type)',
        target,
      ),
    ).toMatchObject({ step: 'the SOCKS5 greeting', transient: false })
    expect(socksFailure('Socks5 proxy rejected connection - NotAllowed', target)).toMatchObject({
      step: 'CONNECT to smtp.example.com:587',
      transient: false,
    })
    for (const reply of [
      'Failure',
      'NetworkUnreachable',
      'HostUnreachable',
      'ConnectionRefused',
      'TTLExpired',
    ]) {
      expect(
        socksFailure(`Socks5 proxy rejected connection - ${reply}`, target).transient,
        reply,
      ).toBe(true)
    }
    expect(
      socksFailure('Socks5 proxy rejected connection - CommandNotSupported', target).transient,
    ).toBe(false)
    expect(socksFailure('Socket closed', target)).toMatchObject({ transient: true })
    expect(socksFailure('Received invalid Socks5 final handshake response', target)).toMatchObject({
      detail: 'the proxy does not speak SOCKS5',
      transient: false,
    })
  })
})
