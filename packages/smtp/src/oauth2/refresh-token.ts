import type { TokenProvider } from '../auth/mechanism.js'
import { inputError } from '../errors.js'
import { TokenCache } from './cache.js'
import { requestToken } from './endpoint.js'
import {
  type ProviderOptions,
  requireString,
  resolveProviderOptions,
  tokenEndpoint,
} from './options.js'

/**
 * The OAuth 2.0 refresh_token grant (RFC 6749 6).
 *
 * @example
 * // Gmail: an OAuth client of type "Desktop app" or "Web application" in Google Cloud
 * refreshTokenProvider({
 *   tokenUrl: 'https://oauth2.googleapis.com/token',
 *   clientId: process.env.GOOGLE_CLIENT_ID!,
 *   clientSecret: process.env.GOOGLE_CLIENT_SECRET!,
 *   refreshToken: process.env.GOOGLE_REFRESH_TOKEN!,
 * })
 */
export interface RefreshTokenProviderOptions extends ProviderOptions {
  /** The token endpoint, e.g. 'https://oauth2.googleapis.com/token'. */
  tokenUrl: string
  clientId: string
  /** Sent as client_secret (client_secret_post); public clients have none. */
  clientSecret?: string
  refreshToken: string
  /** Scopes to ask for, when the server wants them on a refresh (Microsoft accepts them). */
  scope?: string | string[]
  /**
   * Called with a new refresh token when the server rotates it (RFC 6749 6; Microsoft does):
   * the provider uses the new one from then on; store it to use it after a restart.
   */
  onRefreshToken?: (refreshToken: string) => void
}

/**
 * A token provider for `auth.accessToken` that exchanges a refresh token for access tokens
 * (client_secret_post). The token is cached until the smaller of 60 s and a tenth of its lifetime
 * before it expires; any number of concurrent connections share one request; a token a server
 * refused is renewed only if it is still the cached one. Errors are `SmtpError`s at stage 'auth'
 * that name the step and the OAuth error code (`invalid_grant`, `invalid_client`: permanent; a 5xx,
 * timeout or network failure: transient) and never a token or secret.
 *
 * @example
 * import { refreshTokenProvider } from '@mail/smtp/oauth2'
 * const client = await SmtpClient.connect({
 *   host: 'smtp.gmail.com',
 *   auth: { user: 'me@gmail.com', accessToken: refreshTokenProvider({ tokenUrl, clientId, clientSecret, refreshToken }) },
 * })
 */
export function refreshTokenProvider(options: RefreshTokenProviderOptions): TokenProvider {
  if (options === null || typeof options !== 'object') {
    throw inputError('refreshTokenProvider needs an options object')
  }
  const url = tokenEndpoint(options.tokenUrl)
  const clientId = requireString(options.clientId, 'clientId')
  const clientSecret =
    options.clientSecret === undefined
      ? undefined
      : requireString(options.clientSecret, 'clientSecret')
  let refreshToken = requireString(options.refreshToken, 'refreshToken')
  const scope = scopeOf(options.scope)
  const { onRefreshToken } = options
  const common = resolveProviderOptions(options)
  const secrets = [refreshToken, ...(clientSecret === undefined ? [] : [clientSecret])]
  const cache = new TokenCache(async () => {
    const form: Record<string, string> = {
      grant_type: 'refresh_token',
      refresh_token: refreshToken,
      client_id: clientId,
    }
    if (clientSecret !== undefined) form.client_secret = clientSecret
    if (scope !== undefined) form.scope = scope
    const answer = await requestToken({
      grant: 'refresh_token grant',
      url,
      form,
      secrets,
      fetch: common.fetch,
      timeoutMs: common.timeoutMs,
    })
    if (answer.refreshToken !== undefined && answer.refreshToken !== refreshToken) {
      refreshToken = answer.refreshToken
      secrets.push(refreshToken)
      onRefreshToken?.(refreshToken)
    }
    return answer
  }, common.now)
  return (context) => cache.get(context)
}

/** RFC 6749 3.3: scopes are joined by spaces. */
export function scopeOf(scope: string | string[] | undefined, field = 'scope'): string | undefined {
  if (scope === undefined) return undefined
  const list = typeof scope === 'string' ? [scope] : scope
  if (!Array.isArray(list) || list.length === 0) {
    throw inputError(`${field} must be a string or a non-empty array of strings`, field)
  }
  for (const s of list) {
    // RFC 6749 3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ), several in one string by spaces.
    if (
      typeof s !== 'string' ||
      !/^[\x21\x23-\x5b\x5d-\x7e]+( [\x21\x23-\x5b\x5d-\x7e]+)*$/.test(s)
    ) {
      throw inputError(
        `${field} must hold scope tokens (RFC 6749 3.3) separated by single spaces`,
        field,
      )
    }
  }
  return list.join(' ')
}
