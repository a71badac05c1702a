/**
 * `@mail/send/oauth2`: the OAuth2 token providers of `@mail/smtp/oauth2`, for `auth.accessToken`
 * of a transport, so that users of `@mail/send` need no import of `@mail/smtp`.
 *
 * @example
 * import { createTransport } from '@mail/send'
 * import { refreshTokenProvider } from '@mail/send/oauth2'
 * createTransport({ host: 'smtp.gmail.com', auth: { user, accessToken: refreshTokenProvider({ tokenUrl, clientId, clientSecret, refreshToken }) } })
 */
export {
  type ProviderOptions,
  type RefreshTokenProviderOptions,
  refreshTokenProvider,
  type ServiceAccountProviderOptions,
  serviceAccountProvider,
  type TokenContext,
  type TokenProvider,
} from '@mail/smtp/oauth2'
