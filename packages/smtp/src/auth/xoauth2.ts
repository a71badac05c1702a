import { base64 } from './base64.js'
import { assertAccessToken, assertUser } from './credentials.js'
import type { AuthMechanism, BearerCredentials } from './mechanism.js'

/**
 * Google/Microsoft XOAUTH2: 'user=U^Aauth=Bearer T^A^A' (neither U nor T may hold ^A). On
 * failure the server sends a 334 with a JSON error; the empty answer makes it finish with 535.
 */
export function xoauth2({ user, accessToken }: BearerCredentials): AuthMechanism {
  assertUser(user)
  assertAccessToken(accessToken)
  const message = base64(`user=${user}\x01auth=Bearer ${accessToken}\x01\x01`)
  return { name: 'XOAUTH2', initial: () => message, respond: () => '' }
}
