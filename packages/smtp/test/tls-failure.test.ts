import { describe, expect, it } from 'vitest'
import { plaintextPeer, tlsError, untrustedCertificate } from '../src/tls-failure.js'

const failure = (code: string, message: string) => Object.assign(new Error(message), { code })

describe('TLS failures', () => {
  it.each([
    ['DEPTH_ZERO_SELF_SIGNED_CERT', 'self-signed certificate'],
    ['SELF_SIGNED_CERT_IN_CHAIN', 'self-signed certificate in certificate chain'],
    ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'unable to verify the first certificate'],
    ['UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'unable to get local issuer certificate'],
    ['ERR_TLS_CERT_ALTNAME_INVALID', "Hostname/IP does not match certificate's altnames"],
  ])('counts %s as an untrusted certificate, with its hint', (code, message) => {
    const e = failure(code, message)
    expect(untrustedCertificate(e)).toBe(true)
    expect(tlsError('TLS handshake failed', e)).toMatchObject({
      stage: 'tls',
      hint: 'untrusted-certificate',
      cause: e,
    })
  })

  it('gives no certificate hint for failures a CA cannot fix', () => {
    for (const e of [
      failure('CERT_HAS_EXPIRED', 'certificate has expired'),
      failure('ERR_SSL_WRONG_VERSION_NUMBER', 'wrong version number'),
      new Error('socket hang up'),
    ]) {
      expect(untrustedCertificate(e)).toBe(false)
      expect(tlsError('TLS handshake failed', e).hint).toBeUndefined()
    }
  })

  it('recognises a plaintext answer to a ClientHello', () => {
    expect(
      plaintextPeer(
        failure('ERR_SSL_WRONG_VERSION_NUMBER', 'ssl3_get_record:wrong version number'),
      ),
    ).toBe(true)
    expect(plaintextPeer(new Error('certificate has expired'))).toBe(false)
  })
})
