import { base64, unbase64 } from './base64.js'
import { hex, hmacMd5 } from './md5.js'
import type { AuthMechanism, PasswordCredentials } from './mechanism.js'

const encoder = new TextEncoder()

/** RFC 2195 CRAM-MD5: answers the challenge with 'user HEX(HMAC-MD5(pass, challenge))'. */
export function cramMd5({ user, pass }: PasswordCredentials): AuthMechanism {
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
