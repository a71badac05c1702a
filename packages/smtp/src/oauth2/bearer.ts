// RFC 6750 2.1: b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/

/**
 * Whether a string can be sent as a bearer token. Anything else could break the SASL message
 * around it (XOAUTH2 and OAUTHBEARER separate their fields with ^A).
 */
export function isBearerToken(token: unknown): token is string {
  return typeof token === 'string' && B64TOKEN.test(token)
}
