import { cramMd5 } from './cram-md5.js'
import { cramMd5Carries } from './credentials.js'
import { login } from './login.js'
import type { AuthMechanism, Credentials } from './mechanism.js'
import { oauthBearer } from './oauthbearer.js'
import { plain } from './plain.js'
import { xoauth2 } from './xoauth2.js'

export { assertAccessToken, assertCredentials } from './credentials.js'
export type {
  AuthMechanism,
  Credentials,
  PasswordCredentials,
  TokenCredentials,
} from './mechanism.js'

/**
 * Picks the strongest mechanism both sides can use: OAUTHBEARER, then XOAUTH2 for a token;
 * CRAM-MD5 (the password never travels; not for a user name with a space), then PLAIN, then
 * LOGIN for a password. Returns undefined when the server offers none of them; throws an
 * `SmtpError` (stage 'input') for credentials the chosen mechanism cannot carry.
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
  if (has('CRAM-MD5') && (forced === 'CRAM-MD5' || cramMd5Carries(credentials.user))) {
    return cramMd5(credentials)
  }
  if (has('PLAIN')) return plain(credentials)
  if (has('LOGIN')) return login(credentials)
  return undefined
}
