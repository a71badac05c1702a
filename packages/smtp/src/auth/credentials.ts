import { inputError } from '../errors.js'
import { firstUnsafe, hasLoneSurrogate } from '../protocol/text.js'
import type { Credentials } from './mechanism.js'

// What credentials may hold so that every mechanism frames them faithfully: the server must read
// exactly the user and secret given, never other fields (RFC 4616 2: PLAIN separates its fields
// with NUL; XOAUTH2 and OAUTHBEARER with ^A, RFC 7628 3.1; CRAM-MD5 with a space, RFC 2195 2).
// Messages name the field and the character's position, never a secret.

const PASSWORD_MECHANISMS = ['CRAM-MD5', 'PLAIN', 'LOGIN']
const TOKEN_MECHANISMS = ['OAUTHBEARER', 'XOAUTH2']
const KEYS = ['user', 'pass', 'accessToken', 'mechanism']
const TOKEN_HELP = 'obtain the access token first and give auth: { user, accessToken }'
// What users of other mailers (Nodemailer above all) write in `auth`, and what to write instead.
const INSTEAD: Record<string, string> = {
  type: 'the kind follows from the fields: auth: { user, pass } or { user, accessToken }',
  method: "use auth.mechanism, e.g. 'LOGIN'",
  clientId: TOKEN_HELP,
  clientSecret: TOKEN_HELP,
  refreshToken: TOKEN_HELP,
  accessUrl: TOKEN_HELP,
  expires: TOKEN_HELP,
  privateKey: TOKEN_HELP,
  serviceClient: TOKEN_HELP,
}

/**
 * A SASL user name: a string with no control characters (NUL and ^A separate SASL fields), no
 * C1 controls, line or paragraph separators, bidi controls or lone surrogates.
 *
 * @example assertUser('alice@example.com') // passes
 */
export function assertUser(user: unknown): asserts user is string {
  if (typeof user !== 'string') throw inputError('auth.user must be a string', 'auth.user')
  const bad = firstUnsafe(user)
  if (bad !== undefined) {
    throw inputError(`auth.user contains ${bad.what} at index ${bad.index}`, 'auth.user')
  }
}

/**
 * A password: any text UTF-8 can carry but NUL (PLAIN's separator, and the end of the string
 * for servers that read LOGIN's answers as C strings).
 *
 * @example assertPassword('correct horse') // passes
 */
export function assertPassword(pass: unknown): asserts pass is string {
  if (typeof pass !== 'string') throw inputError('auth.pass must be a string', 'auth.pass')
  const nul = pass.indexOf('\0')
  if (nul >= 0) {
    throw inputError(`auth.pass contains NUL (U+0000) at index ${nul}`, 'auth.pass')
  }
  if (hasLoneSurrogate(pass)) {
    throw inputError('auth.pass contains a lone surrogate, which UTF-8 cannot carry', 'auth.pass')
  }
}

/**
 * An OAuth 2.0 access token: no control characters (^A separates XOAUTH2's and OAUTHBEARER's
 * fields) and none of the characters {@link assertUser} refuses.
 *
 * @example assertAccessToken('ya29.a0AfH6SM') // passes
 */
export function assertAccessToken(token: unknown): asserts token is string {
  const field = 'auth.accessToken'
  if (typeof token !== 'string') {
    throw inputError(`${field} must be a string (or a function that gives one)`, field)
  }
  const bad = firstUnsafe(token)
  if (bad !== undefined)
    throw inputError(`${field} contains ${bad.what} at index ${bad.index}`, field)
}

/** Whether CRAM-MD5 can carry this user name: its response is the user, a space, the digest. */
export function cramMd5Carries(user: string): boolean {
  return !user.includes(' ')
}

/**
 * Checks `auth` connect options: their shape, their keys, and that every mechanism they may use
 * frames them faithfully. Throws an `SmtpError` with stage `'input'` naming the field.
 *
 * @example assertCredentials({ user: 'me', pass: 'secret', mechanism: 'LOGIN' }) // passes
 */
export function assertCredentials(auth: unknown): asserts auth is Credentials {
  if (auth === null || typeof auth !== 'object') {
    throw inputError('auth must be { user, pass } or { user, accessToken }', 'auth')
  }
  for (const key of Object.keys(auth)) {
    if (KEYS.includes(key)) continue
    const instead = Object.hasOwn(INSTEAD, key) ? INSTEAD[key] : `known: ${KEYS.join(', ')}`
    throw inputError(`Unknown option "auth.${key}": ${instead}`, `auth.${key}`)
  }
  const a = auth as { user?: unknown; pass?: unknown; accessToken?: unknown; mechanism?: unknown }
  const token = 'accessToken' in a
  if (token === 'pass' in a) {
    throw inputError('auth must be { user, pass } or { user, accessToken } with strings', 'auth')
  }
  assertUser(a.user)
  // A token provider's tokens are checked as they come, before each AUTH.
  if (token && typeof a.accessToken !== 'function') assertAccessToken(a.accessToken)
  else if (!token) assertPassword(a.pass)
  if (a.mechanism === undefined) return
  const allowed = token ? TOKEN_MECHANISMS : PASSWORD_MECHANISMS
  if (typeof a.mechanism !== 'string' || !allowed.includes(a.mechanism)) {
    const kind = token ? 'an access token' : 'a password'
    throw inputError(
      `auth.mechanism must be one of ${allowed.join(', ')} for ${kind}`,
      'auth.mechanism',
    )
  }
  if (a.mechanism === 'CRAM-MD5' && !cramMd5Carries(a.user)) {
    throw inputError(
      'auth.user contains a space, which CRAM-MD5 cannot carry (it separates the user from the digest)',
      'auth.user',
    )
  }
}
