import { inputError } from '../errors.js'
import { base64, unbase64 } from './base64.js'
import { assertPassword, assertUser, cramMd5Carries } from './credentials.js'
import { hex, hmacMd5 } from './md5.js'
import type { AuthMechanism, PasswordCredentials } from './mechanism.js'

const encoder = new TextEncoder()

/**
 * RFC 2195 CRAM-MD5: answers the challenge with 'user HEX(HMAC-MD5(pass, challenge))'. The space
 * separates the user from the digest, so a user name with a space cannot be carried.
 */
export function cramMd5({ user, pass }: PasswordCredentials): AuthMechanism {
  assertUser(user)
  assertPassword(pass)
  if (!cramMd5Carries(user)) {
    throw inputError('auth.user contains a space, which CRAM-MD5 cannot carry', 'auth.user')
  }
  return {
    name: 'CRAM-MD5',
    initial: () => undefined,
    respond: (challenge) => {
      const decoded = unbase64(challenge)
      const bytes = Uint8Array.from(decoded, (c) => c.charCodeAt(0))
      return base64(`${user} ${hex(hmacMd5(encoder.encode(pass), bytes))}`)
    },
  }
}
