import type { TokenProvider } from '../auth/mechanism.js'
import { inputError } from '../errors.js'
import { TokenCache } from './cache.js'
import { requestToken } from './endpoint.js'
import { importRsaKey, type SigningKey, signJwt } from './jwt.js'
import {
  type ProviderOptions,
  requireString,
  resolveProviderOptions,
  tokenEndpoint,
} from './options.js'
import { scopeOf } from './refresh-token.js'

const GOOGLE_TOKEN_URL = 'https://oauth2.googleapis.com/token'
// Google accepts assertions valid for at most an hour.
const ASSERTION_LIFETIME_S = 3600

/**
 * A Google service account with domain-wide delegation.
 *
 * @example
 * const key = JSON.parse(await readFile('service-account.json', 'utf8'))
 * serviceAccountProvider({
 *   clientEmail: key.client_email,
 *   privateKey: key.private_key,
 *   scope: 'https://mail.google.com/',
 *   subject: 'me@example.com',
 * })
 */
export interface ServiceAccountProviderOptions extends ProviderOptions {
  /** Default 'https://oauth2.googleapis.com/token'; also the JWT's audience. */
  tokenUrl?: string
  /** The service account's e-mail address (`client_email`): the JWT's issuer. */
  clientEmail: string
  /** PEM PKCS#8 RSA key (`private_key`). */
  privateKey: string
  /** 'https://mail.google.com/' for SMTP. */
  scope: string | string[]
  /** The mailbox to act for (usually `auth.user`); needs domain-wide delegation. */
  subject?: string
}

/**
 * A token provider for `auth.accessToken` from a Google service account: a JWT signed RS256 with
 * WebCrypto (so it runs on Workers too) is exchanged for an access token with the
 * urn:ietf:params:oauth:grant-type:jwt-bearer grant (RFC 7523 2.1). Caching, sharing and errors
 * as for {@link refreshTokenProvider}; neither the key nor the assertion ever enters a message.
 *
 * @example
 * import { serviceAccountProvider } from '@mail/smtp/oauth2'
 * const accessToken = serviceAccountProvider({ clientEmail, privateKey, scope: 'https://mail.google.com/', subject: 'me@example.com' })
 * await SmtpClient.connect({ host: 'smtp.gmail.com', auth: { user: 'me@example.com', accessToken } })
 */
export function serviceAccountProvider(options: ServiceAccountProviderOptions): TokenProvider {
  if (options === null || typeof options !== 'object') {
    throw inputError('serviceAccountProvider needs an options object')
  }
  const url = tokenEndpoint(options.tokenUrl ?? GOOGLE_TOKEN_URL)
  const clientEmail = requireString(options.clientEmail, 'clientEmail')
  const privateKey = requireString(options.privateKey, 'privateKey')
  const scope = scopeOf(options.scope)
  if (scope === undefined) throw inputError('scope is required', 'scope')
  const subject =
    options.subject === undefined ? undefined : requireString(options.subject, 'subject')
  const common = resolveProviderOptions(options)
  let key: Promise<SigningKey> | undefined
  const cache = new TokenCache(async () => {
    key ??= importRsaKey(privateKey)
    // A key that fails to import is tried again on the next call, not remembered broken.
    const signing = await key.catch((e: unknown) => {
      key = undefined
      throw e
    })
    const iat = Math.floor(common.now() / 1000)
    const claims: Record<string, unknown> = {
      iss: clientEmail,
      scope,
      aud: url.href,
      iat,
      exp: iat + ASSERTION_LIFETIME_S,
    }
    if (subject !== undefined) claims.sub = subject
    const assertion = await signJwt(claims, signing)
    return requestToken({
      grant: 'jwt-bearer grant',
      url,
      form: { grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion },
      secrets: [assertion, privateKey],
      fetch: common.fetch,
      timeoutMs: common.timeoutMs,
    })
  }, common.now)
  return (context) => cache.get(context)
}
