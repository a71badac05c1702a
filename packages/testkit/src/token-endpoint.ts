import { createPublicKey, randomBytes, verify } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'

/** A client allowed to use the refresh_token grant. */
export interface RefreshClient {
  clientId: string
  /** Omit for a public client. */
  clientSecret?: string
  refreshToken: string
  /** The mailbox its tokens are for (reported by introspection as `username`). */
  user?: string
}

/** A Google-style service account allowed to use the jwt-bearer grant (RFC 7523). */
export interface ServiceAccount {
  clientEmail: string
  /** PEM SPKI public key that verifies its RS256 assertions. */
  publicKey: string
}

/**
 * Options of {@link startTokenEndpoint}.
 *
 * @example
 * await startTokenEndpoint({ clients: [{ clientId: 'c', clientSecret: 's', refreshToken: 'r' }], expiresIn: 60 })
 */
export interface TokenEndpointOptions {
  clients?: RefreshClient[]
  serviceAccounts?: ServiceAccount[]
  /** Lifetime of issued access tokens, in seconds (`expires_in`). Default 3600. */
  expiresIn?: number
  /** Answer each refresh with a new refresh token that replaces the old one (RFC 6749 6). */
  rotateRefreshTokens?: boolean
  /** The clock that decides expiry, in ms. Default `Date.now`; share it with the client's. */
  now?: () => number
}

/** One request the endpoint answered. */
export interface TokenRequestRecord {
  path: string
  form: Record<string, string>
  status: number
  /** The OAuth error code answered, if any. */
  error?: string
}

/**
 * A local OAuth 2.0 token endpoint (RFC 6749) with token introspection (RFC 7662), on loopback.
 *
 * @example
 * const endpoint = await startTokenEndpoint({ clients: [client], expiresIn: 60 })
 * const aiosmtpd = await startAiosmtpd({ oauth2: { introspectionUrl: endpoint.introspectionUrl } })
 */
export interface TokenEndpoint {
  /** POST here: grant_type refresh_token or urn:ietf:params:oauth:grant-type:jwt-bearer. */
  tokenUrl: string
  /** POST token=...: `{ active, username?, exp }` (RFC 7662 2.2). */
  introspectionUrl: string
  /** Every token request (not introspection), in order. */
  readonly requests: TokenRequestRecord[]
  /** Every access token issued, in order. */
  readonly issued: string[]
  /** Every introspection: the token asked about and whether it was active. */
  readonly introspections: { token: string; active: boolean }[]
  /** Makes a token inactive before it expires. */
  revoke(token: string): void
  /** Makes a refresh token unusable: its next use gets invalid_grant. */
  revokeRefreshToken(refreshToken: string): void
  /** Answers the next `count` token requests with this status and body. */
  failNext(count: number, status: number, body: unknown): void
  stop(): Promise<void>
}

interface Issued {
  exp: number
  revoked: boolean
  user?: string | undefined
}

const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer'

async function readForm(req: IncomingMessage): Promise<Record<string, string>> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  return Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')))
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' })
  res.end(JSON.stringify(body))
}

/** Starts the endpoint on 127.0.0.1, port 0. */
export async function startTokenEndpoint(
  options: TokenEndpointOptions = {},
): Promise<TokenEndpoint> {
  const now = options.now ?? Date.now
  const expiresIn = options.expiresIn ?? 3600
  const clients = (options.clients ?? []).map((c) => ({ ...c }))
  const revokedRefresh = new Set<string>()
  const tokens = new Map<string, Issued>()
  const requests: TokenRequestRecord[] = []
  const issued: string[] = []
  const introspections: { token: string; active: boolean }[] = []
  let failures: { count: number; status: number; body: unknown } | undefined
  let tokenUrl = ''

  const issue = (user: string | undefined) => {
    const token = `at-${randomBytes(24).toString('base64url')}`
    tokens.set(token, { exp: now() + expiresIn * 1000, revoked: false, user })
    issued.push(token)
    return token
  }

  /** The assertion's claims if its RS256 signature and times check out (RFC 7523 3). */
  const checkAssertion = (assertion: string): { sub?: string; scope?: string } | string => {
    const parts = assertion.split('.')
    if (parts.length !== 3) return 'not a compact JWS'
    const [head, body, signature] = parts as [string, string, string]
    const header = JSON.parse(Buffer.from(head, 'base64url').toString('utf8')) as { alg?: string }
    if (header.alg !== 'RS256') return `alg ${header.alg} is not RS256`
    const claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Record<
      string,
      unknown
    >
    const account = options.serviceAccounts?.find((a) => a.clientEmail === claims.iss)
    if (account === undefined) return 'unknown issuer'
    const ok = verify(
      'sha256',
      Buffer.from(`${head}.${body}`),
      createPublicKey(account.publicKey),
      Buffer.from(signature, 'base64url'),
    )
    if (!ok) return 'bad signature'
    if (claims.aud !== tokenUrl) return 'wrong audience'
    const t = Math.floor(now() / 1000)
    const iat = Number(claims.iat)
    const exp = Number(claims.exp)
    if (!(iat <= t + 60 && t < exp && exp - iat <= 3600)) return 'assertion expired or too long'
    if (typeof claims.scope !== 'string' || claims.scope === '') return 'no scope'
    return {
      scope: claims.scope,
      ...(typeof claims.sub === 'string' ? { sub: claims.sub } : {}),
    }
  }

  const token = (
    form: Record<string, string>,
  ): { status: number; body: Record<string, unknown> } => {
    const error = (status: number, code: string, description: string) => ({
      status,
      body: { error: code, error_description: description },
    })
    const granted = (user: string | undefined, extra: Record<string, unknown> = {}) => ({
      status: 200,
      body: { access_token: issue(user), token_type: 'Bearer', expires_in: expiresIn, ...extra },
    })
    if (form.grant_type === 'refresh_token') {
      const client = clients.find((c) => c.clientId === form.client_id)
      // RFC 6749 5.2: a failed client authentication is 401 invalid_client.
      if (client === undefined || client.clientSecret !== form.client_secret) {
        return error(401, 'invalid_client', 'Unauthorized client.')
      }
      const refresh = form.refresh_token ?? ''
      if (refresh !== client.refreshToken || revokedRefresh.has(refresh)) {
        return error(400, 'invalid_grant', 'Token has been expired or revoked.')
      }
      if (!options.rotateRefreshTokens) return granted(client.user)
      client.refreshToken = `rt-${randomBytes(16).toString('base64url')}`
      return granted(client.user, { refresh_token: client.refreshToken })
    }
    if (form.grant_type === JWT_BEARER) {
      const checked = checkAssertion(form.assertion ?? '')
      if (typeof checked === 'string')
        return error(400, 'invalid_grant', `Invalid JWT: ${checked}.`)
      return granted(checked.sub)
    }
    return error(400, 'unsupported_grant_type', 'Unsupported grant type.')
  }

  const server = createServer((req, res) => {
    void (async () => {
      const form = await readForm(req)
      const path = new URL(req.url ?? '/', 'http://x').pathname
      if (req.method === 'POST' && path === '/introspect') {
        const entry = tokens.get(form.token ?? '')
        const active = entry !== undefined && !entry.revoked && now() < entry.exp
        introspections.push({ token: form.token ?? '', active })
        const body = active
          ? {
              active,
              exp: Math.floor(entry.exp / 1000),
              ...(entry.user ? { username: entry.user } : {}),
            }
          : { active }
        return send(res, 200, body)
      }
      if (req.method !== 'POST' || path !== '/token') return send(res, 404, { error: 'not_found' })
      if (failures !== undefined && failures.count > 0) {
        failures.count--
        requests.push({ path, form, status: failures.status })
        return send(res, failures.status, failures.body)
      }
      const answer = token(form)
      const code = answer.body.error
      requests.push({
        path,
        form,
        status: answer.status,
        ...(typeof code === 'string' ? { error: code } : {}),
      })
      send(res, answer.status, answer.body)
    })().catch((e: unknown) =>
      send(res, 500, { error: 'server_error', error_description: String(e) }),
    )
  })
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      if (typeof address === 'object' && address !== null) resolve(address.port)
      else reject(new Error('no port'))
    })
  })
  tokenUrl = `http://127.0.0.1:${port}/token`
  let stopped: Promise<void> | undefined
  return {
    tokenUrl,
    introspectionUrl: `http://127.0.0.1:${port}/introspect`,
    requests,
    issued,
    introspections,
    revoke: (t) => {
      const entry = tokens.get(t)
      if (entry !== undefined) entry.revoked = true
    },
    revokeRefreshToken: (t) => {
      revokedRefresh.add(t)
    },
    failNext: (count, status, body) => {
      failures = { count, status, body }
    },
    stop: () => {
      stopped ??= new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      })
      return stopped
    },
  }
}
