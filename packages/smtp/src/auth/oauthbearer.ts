import { base64 } from './base64.js'
import { assertAccessToken, assertUser } from './credentials.js'
import type { AuthMechanism, BearerCredentials } from './mechanism.js'

/**
 * RFC 7628 3.1 OAUTHBEARER: a GS2 header naming the user, then key=value pairs separated by ^A
 * (which neither the user nor the token may hold). On failure the server sends a 334 with a JSON
 * error; RFC 7628 3.2.3 says answer with ^A.
 */
export function oauthBearer(
  { user, accessToken }: BearerCredentials,
  host: string,
  port: number,
): AuthMechanism {
  assertUser(user)
  assertAccessToken(accessToken)
  // RFC 5801 4: saslname escapes '=' and ',' (the GS2 header's own separator).
  const name = user.replaceAll('=', '=3D').replaceAll(',', '=2C')
  const message = base64(
    `n,a=${name},\x01host=${host}\x01port=${port}\x01auth=Bearer ${accessToken}\x01\x01`,
  )
  return { name: 'OAUTHBEARER', initial: () => message, respond: () => base64('\x01') }
}
