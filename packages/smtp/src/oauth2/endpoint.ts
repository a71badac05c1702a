import { SmtpError } from '../errors.js'
import { isBearerToken } from './bearer.js'
import type { IssuedToken } from './cache.js'

/** One request to an OAuth 2.0 token endpoint (RFC 6749 4.x / 6, RFC 7523 2.1). */
export interface TokenRequest {
  /** The grant, for messages: 'refresh_token grant'. */
  grant: string
  url: URL
  /** The form fields (application/x-www-form-urlencoded). */
  form: Record<string, string>
  /** Values that must never appear in a message, whatever the server echoes. */
  secrets: readonly string[]
  fetch: typeof globalThis.fetch
  timeoutMs: number
}

/** What a successful answer carries. */
export interface TokenAnswer extends IssuedToken {
  /** A new refresh token (RFC 6749 6: the old one must then be discarded). */
  refreshToken?: string | undefined
}

/**
 * Posts the form and reads the token. Failures are {@link SmtpError}s at stage 'auth' whose
 * message names the step and the OAuth error code: an error reply (4xx) is permanent; a 5xx, 429,
 * timeout or network failure is transient. No secret of the request ever enters a message.
 */
export async function requestToken(request: TokenRequest): Promise<TokenAnswer> {
  const { url, timeoutMs } = request
  const fail = (what: string, transient: boolean): never => {
    throw new SmtpError(
      `OAuth2 token request (${request.grant}) to ${url.origin}${url.pathname} failed: ${what}`,
      // An OAuth error reply (invalid_grant...) stays the same however often it is asked.
      { stage: 'auth', transient, permanent: !transient },
    )
  }
  // Whatever the server or the network layer says is cleaned before it enters a message.
  const said = (text: string) => printable(redact(text, request.secrets))
  let status: number
  let text: string
  try {
    const response = await request.fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
      },
      body: new URLSearchParams(request.form).toString(),
      // Never follow a redirect with the secrets in the body; 'manual' works on Workers too.
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    })
    status = response.status
    text = await response.text()
  } catch (e) {
    if ((e as Error)?.name === 'TimeoutError') fail(`timed out after ${timeoutMs} ms`, true)
    // The cause names the network error (ECONNREFUSED...) and never the request body.
    const cause = (e as { cause?: { code?: unknown; message?: unknown } })?.cause
    const detail = String(cause?.code ?? cause?.message ?? (e as Error)?.message ?? e)
    return fail(`could not reach the token endpoint (${said(detail)})`, true)
  }
  const body = parseJson(text)
  if (status >= 200 && status < 300) return readToken(body, fail, said)
  const code = typeof body?.error === 'string' ? said(body.error) : undefined
  const description =
    typeof body?.error_description === 'string' ? said(body.error_description) : undefined
  const oauth =
    code === undefined
      ? `HTTP ${status}`
      : `${code}${description ? ` (${description})` : ''}, HTTP ${status}`
  // RFC 6749 5.2: error replies are 400 (401 for invalid_client); a 5xx or 429 is the server's
  // trouble, worth trying again later.
  return fail(oauth, status >= 500 || status === 429)
}

function readToken(
  body: Record<string, unknown> | undefined,
  fail: (what: string, transient: boolean) => never,
  said: (text: string) => string,
): TokenAnswer {
  if (body === undefined) return fail('the answer is not a JSON object', false)
  const token = body.access_token
  if (typeof token !== 'string' || token === '')
    return fail('the answer has no access_token', false)
  if (!isBearerToken(token)) {
    return fail('the access_token has characters a bearer token cannot have (RFC 6750 2.1)', false)
  }
  const type = body.token_type
  if (type !== undefined && (typeof type !== 'string' || type.toLowerCase() !== 'bearer')) {
    return fail(`token_type is ${said(String(type))}, not Bearer`, false)
  }
  // Some servers send expires_in as a string of digits.
  const lifetime = typeof body.expires_in === 'string' ? Number(body.expires_in) : body.expires_in
  const expiresIn = typeof lifetime === 'number' && lifetime >= 0 ? lifetime : undefined
  const refresh = body.refresh_token
  return {
    accessToken: token,
    expiresIn,
    refreshToken: typeof refresh === 'string' && refresh !== '' ? refresh : undefined,
  }
}

function parseJson(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text)
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined
  } catch {
    return undefined
  }
}

/** Server text made safe for a one-line message: printable ASCII, at most 200 characters. */
function printable(text: string): string {
  const clean = text.replace(/[^\x20-\x7e]+/g, ' ').trim()
  return clean.length > 200 ? `${clean.slice(0, 200)}...` : clean
}

/** Replaces every secret (and its form-encoded spelling) that a server may have echoed. */
function redact(text: string, secrets: readonly string[]): string {
  let out = text
  for (const secret of secrets) {
    if (secret.length < 4) continue
    for (const spelling of new Set([secret, encodeURIComponent(secret)])) {
      out = out.split(spelling).join('<redacted>')
    }
  }
  return out
}
