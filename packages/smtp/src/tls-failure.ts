import { SmtpError } from './errors.js'

// Telling TLS failures apart from the errors the runtimes give: Node's (and Bun's) codes are
// OpenSSL's verify results; Deno's node:tls words them after rustls.

const UNTRUSTED_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'HOSTNAME_MISMATCH',
])
const UNTRUSTED_TEXT =
  /self[- ]signed|unknown ?issuer|unable to (verify|get (local )?issuer)|NotValidForName|does not match certificate/i
// OpenSSL's complaints when the peer answers a ClientHello in plaintext (e.g. "220 ...").
const PLAINTEXT_PEER =
  /wrong version number|packet length too long|unknown protocol|http request|record layer failure/i

const codeOf = (e: unknown) => String((e as { code?: unknown } | null)?.code ?? '')
const messageOf = (e: unknown) => String((e as Error | null)?.message ?? e)

/**
 * Whether a failed handshake rejected the server's certificate as not trusted for this host:
 * self-signed, from an unknown issuer, or issued for another name. (An expired certificate is a
 * failure too, but no CA or name given by the caller fixes it.)
 *
 * @example untrustedCertificate({ code: 'DEPTH_ZERO_SELF_SIGNED_CERT' }) // true
 */
export function untrustedCertificate(e: unknown): boolean {
  return UNTRUSTED_CODES.has(codeOf(e)) || UNTRUSTED_TEXT.test(messageOf(e))
}

/** Whether an error from opening a TLS connection is a TLS error rather than a TCP one. */
export function isTlsError(e: unknown): boolean {
  return (
    /^ERR_SSL|^ERR_TLS|CERT|SIGNATURE|SELF_SIGNED|ISSUER/.test(codeOf(e)) ||
    /SSL|TLS|certificate/i.test(messageOf(e))
  )
}

/** Whether a TLS handshake failed because the peer spoke plaintext (e.g. an SMTP greeting). */
export function plaintextPeer(e: unknown): boolean {
  return PLAINTEXT_PEER.test(messageOf(e))
}

/**
 * The {@link SmtpError} (stage `'tls'`) for a failed TLS handshake, with hint
 * `'untrusted-certificate'` and what to do when the certificate was the reason.
 *
 * @example tlsError('TLS handshake after STARTTLS failed', e)
 */
export function tlsError(message: string, cause: unknown): SmtpError {
  const untrusted = untrustedCertificate(cause)
  const fix = untrusted
    ? '; the certificate is not trusted for this host: pass the CA that issued it as tls: { ca }, or connect by the name it was issued for'
    : ''
  return new SmtpError(`${message}: ${messageOf(cause)}${fix}`, {
    stage: 'tls',
    cause,
    hint: untrusted ? 'untrusted-certificate' : undefined,
  })
}
