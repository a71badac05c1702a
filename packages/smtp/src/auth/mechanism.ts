/**
 * One SASL mechanism as a pure step function (RFC 4954 4): an optional initial response, then
 * one response per 334 challenge. Values are base64 text as they appear on the wire.
 */
export interface AuthMechanism {
  readonly name: string
  /** The initial response sent with AUTH, or undefined to wait for the first challenge. */
  initial(): string | undefined
  /** The answer to a 334 challenge (base64 text as received). */
  respond(challenge: string): string
}

/** Password credentials. */
export interface PasswordCredentials {
  user: string
  pass: string
  /** Use only this mechanism ('CRAM-MD5', 'PLAIN' or 'LOGIN') instead of the strongest offered. */
  mechanism?: 'CRAM-MD5' | 'PLAIN' | 'LOGIN'
}

/**
 * OAuth 2.0 bearer token credentials (XOAUTH2, OAUTHBEARER): a token, or a token provider asked
 * before every AUTH (see {@link TokenProvider}).
 *
 * @example
 * { user: 'me@gmail.com', accessToken: refreshTokenProvider({ tokenUrl, clientId, clientSecret, refreshToken }) }
 */
export interface TokenCredentials {
  user: string
  accessToken: string | TokenProvider
  /** Use only this mechanism instead of the strongest offered. */
  mechanism?: 'OAUTHBEARER' | 'XOAUTH2'
}

/** Token credentials with the token in hand (what a mechanism frames). */
export interface BearerCredentials {
  user: string
  accessToken: string
}

/** What a token provider is told when it is asked. */
export interface TokenContext {
  /** The access token a server just refused: the provider must not return it again. */
  expired?: string
}

/**
 * A source of OAuth 2.0 access tokens: asked before every AUTH, never cached by the client. After
 * a refusal it is asked once more with the refused token as `expired`.
 *
 * @example
 * import { refreshTokenProvider } from '@mail/smtp/oauth2'
 * const accessToken: TokenProvider = refreshTokenProvider({ tokenUrl, clientId, refreshToken })
 */
export type TokenProvider = (context: TokenContext) => Promise<string>

/** What `auth` accepts: a password or an OAuth 2.0 access token. */
export type Credentials = PasswordCredentials | TokenCredentials
