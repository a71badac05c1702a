// @mail/smtp/oauth2: token providers for `auth.accessToken`, on Web APIs alone (fetch, WebCrypto).
export type { TokenContext, TokenProvider } from '../auth/mechanism.js'
export type { ProviderOptions } from './options.js'
export { type RefreshTokenProviderOptions, refreshTokenProvider } from './refresh-token.js'
export { type ServiceAccountProviderOptions, serviceAccountProvider } from './service-account.js'
