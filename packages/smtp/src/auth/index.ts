import { cramMd5 } from './cram-md5.js'
import { cramMd5Carries } from './credentials.js'
import { login } from './login.js'
import type {
  AuthMechanism,
  BearerCredentials,
  PasswordCredentials,
  TokenCredentials,
} from './mechanism.js'
import { oauthBearer } from './oauthbearer.js'
import { plain } from './plain.js'
import { xoauth2 } from './xoauth2.js'

export { assertAccessToken, assertCredentials } from './credentials.js'
export type {
  AuthMechanism,
  BearerCredentials,
  Credentials,
  PasswordCredentials,
  TokenContext,
  TokenCredentials,
  TokenProvider,
} from './mechanism.js'

/**
 * The token mechanism to use: OAUTHBEARER (RFC 7628), then XOAUTH2, among those offered (and
 * `forced`, when given); undefined when the server offers neither.
 */
export function tokenMechanism(
  offered: readonly string[],
  forced: TokenCredentials['mechanism'],
): 'OAUTHBEARER' | 'XOAUTH2' | undefined {
  for (const name of ['OAUTHBEARER', 'XOAUTH2'] as const) {
    if (offered.includes(name) && (forced === undefined || forced === name)) return name
  }
  return undefined
}

/**
 * Picks the strongest mechanism both sides can use: OAUTHBEARER, then XOAUTH2 for a token;
 * CRAM-MD5 (the password never travels; not for a user name with a space), then PLAIN, then
 * LOGIN for a password. Returns undefined when the server offers none of them; throws an
 * `SmtpError` (stage 'input') for credentials the chosen mechanism cannot carry.
 */
export function chooseMechanism(
  offered: readonly string[],
  credentials: PasswordCredentials | (BearerCredentials & Pick<TokenCredentials, 'mechanism'>),
  host: string,
  port: number,
): AuthMechanism | undefined {
  if ('accessToken' in credentials) {
    const name = tokenMechanism(offered, credentials.mechanism)
    if (name === 'OAUTHBEARER') return oauthBearer(credentials, host, port)
    if (name === 'XOAUTH2') return xoauth2(credentials)
    return undefined
  }
  const forced = credentials.mechanism
  const has = (name: string) => offered.includes(name) && (forced === undefined || forced === name)
  if (has('CRAM-MD5') && (forced === 'CRAM-MD5' || cramMd5Carries(credentials.user))) {
    return cramMd5(credentials)
  }
  if (has('PLAIN')) return plain(credentials)
  if (has('LOGIN')) return login(credentials)
  return undefined
}
