import { cramMd5 } from './cram-md5.js'
import { login } from './login.js'
import type { AuthMechanism, Credentials } from './mechanism.js'
import { oauthBearer } from './oauthbearer.js'
import { plain } from './plain.js'
import { xoauth2 } from './xoauth2.js'

export type {
  AuthMechanism,
  Credentials,
  PasswordCredentials,
  TokenCredentials,
} from './mechanism.js'

/**
 * Picks the strongest mechanism both sides can use: OAUTHBEARER, then XOAUTH2 for a token;
 * CRAM-MD5 (the password never travels), then PLAIN, then LOGIN for a password.
 * Returns undefined when the server offers none of them.
 */
export function chooseMechanism(
  offered: readonly string[],
  credentials: Credentials,
  host: string,
  port: number,
): AuthMechanism | undefined {
  const forced = credentials.mechanism
  const has = (name: string) => offered.includes(name) && (forced === undefined || forced === name)
  if ('accessToken' in credentials) {
    if (has('OAUTHBEARER')) return oauthBearer(credentials, host, port)
    if (has('XOAUTH2')) return xoauth2(credentials)
    return undefined
  }
  if (has('CRAM-MD5')) return cramMd5(credentials)
  if (has('PLAIN')) return plain(credentials)
  if (has('LOGIN')) return login(credentials)
  return undefined
}
