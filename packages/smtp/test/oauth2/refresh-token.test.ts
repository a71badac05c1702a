import { createServer } from 'node:http'
import { inspect } from 'node:util'
import { startTokenEndpoint, stopAfterEach, type TokenEndpoint } from '@mail/testkit'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { SmtpError } from '../../src/errors.js'
import { refreshTokenProvider } from '../../src/oauth2/index.js'
import { failure } from '../helpers/errors.js'

const track = stopAfterEach()

const secret = 'cs-Secret-0123456789'
const refresh = 'rt-Refresh-0123456789'
const client = { clientId: 'client-1', clientSecret: secret, refreshToken: refresh }

async function endpoint(options: Parameters<typeof startTokenEndpoint>[0] = {}) {
  return track(startTokenEndpoint({ clients: [client], ...options }))
}

const provider = (
  e: TokenEndpoint,
  more: Partial<Parameters<typeof refreshTokenProvider>[0]> = {},
) =>
  refreshTokenProvider({
    tokenUrl: e.tokenUrl,
    clientId: 'client-1',
    clientSecret: secret,
    refreshToken: refresh,
    ...more,
  })

/** Everything an error could show: message, fields, cause chain and stack. */
const shown = (e: unknown) => `${String(e)} ${JSON.stringify(e)} ${inspect(e, { depth: 5 })}`

describe('refreshTokenProvider', () => {
  it('posts the refresh_token grant with client_secret_post and caches the token', async () => {
    const e = await endpoint()
    const accessToken = provider(e, {
      scope: ['https://outlook.office.com/SMTP.Send', 'offline_access'],
    })
    const [a, b] = await Promise.all([accessToken({}), accessToken({})])
    expect(a).toBe(e.issued[0])
    expect(b).toBe(a)
    expect(await accessToken({})).toBe(a)
    expect(e.requests).toHaveLength(1)
    expect(e.requests[0]?.form).toEqual({
      grant_type: 'refresh_token',
      refresh_token: refresh,
      client_id: 'client-1',
      client_secret: secret,
      scope: 'https://outlook.office.com/SMTP.Send offline_access',
    })
  })

  it('asks again when its token is reported expired, and after expiry by its clock', async () => {
    let clock = 0
    const e = await endpoint({ expiresIn: 3600 })
    const accessToken = provider(e, { now: () => clock })
    const first = await accessToken({})
    const second = await accessToken({ expired: first })
    expect(second).not.toBe(first)
    expect(await accessToken({ expired: first })).toBe(second)
    clock += 3540_000
    expect(await accessToken({})).toBe(e.issued[2])
    expect(e.requests).toHaveLength(3)
  })

  it('uses a rotated refresh token from then on and hands it over', async () => {
    const e = await endpoint({ rotateRefreshTokens: true })
    const rotated: string[] = []
    const accessToken = provider(e, { onRefreshToken: (t) => rotated.push(t) })
    const first = await accessToken({})
    await accessToken({ expired: first })
    expect(rotated).toHaveLength(2)
    expect(e.requests.map((r) => r.form.refresh_token)).toEqual([refresh, rotated[0]])
    expect(e.requests.every((r) => r.status === 200)).toBe(true)
  })

  it('rejects invalid_grant as a permanent SmtpError naming the step and the code', async () => {
    const e = await endpoint()
    e.revokeRefreshToken(refresh)
    const error = await failure(provider(e)({}))
    expect(error).toMatchObject({
      stage: 'auth',
      transient: false,
      permanent: true,
      code: undefined,
    })
    expect(error.message).toBe(
      `OAuth2 token request (refresh_token grant) to ${e.tokenUrl} failed: invalid_grant (Token has been expired or revoked.), HTTP 400`,
    )
    expect(shown(error)).not.toContain(refresh)
    expect(shown(error)).not.toContain(secret)
  })

  it('rejects invalid_client as permanent', async () => {
    const e = await endpoint()
    const error = await failure(provider(e, { clientSecret: 'cs-wrong-secret' })({}))
    expect(error).toMatchObject({ transient: false, permanent: true })
    expect(error.message).toMatch(/invalid_client .*HTTP 401$/)
    expect(shown(error)).not.toContain('cs-wrong-secret')
  })

  it('treats 5xx and 429 as transient, and asks again on the next call', async () => {
    const e = await endpoint()
    const accessToken = provider(e)
    e.failNext(1, 503, { error: 'temporarily_unavailable' })
    expect(await failure(accessToken({}))).toMatchObject({ transient: true, permanent: false })
    e.failNext(1, 429, 'slow down')
    const limited = await failure(accessToken({}))
    expect(limited).toMatchObject({ transient: true })
    expect(limited.message).toMatch(/failed: HTTP 429$/)
    expect(await accessToken({})).toBe(e.issued[0])
  })

  it('treats a refused connection as transient', async () => {
    const e = await endpoint()
    await e.stop()
    const error = await failure(provider(e)({}))
    expect(error.transient).toBe(true)
    expect(error.message).toMatch(/could not reach the token endpoint \(ECONNREFUSED\)$/)
  })

  it('times out as a transient failure', async () => {
    const silent = createServer(() => {})
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r))
    await track({
      stop: () =>
        new Promise<void>((r) => {
          silent.closeAllConnections()
          silent.close(() => r())
        }),
    })
    const { port } = silent.address() as { port: number }
    const accessToken = refreshTokenProvider({
      tokenUrl: `http://127.0.0.1:${port}/token`,
      clientId: 'c',
      refreshToken: refresh,
      timeoutMs: 100,
    })
    const error = await failure(accessToken({}))
    expect(error).toMatchObject({ transient: true, stage: 'auth' })
    expect(error.message).toMatch(/failed: timed out after 100 ms$/)
  })

  it('refuses answers that are not a usable bearer token', async () => {
    const e = await endpoint()
    const accessToken = provider(e)
    const cases: [unknown, RegExp][] = [
      [{ token_type: 'Bearer' }, /has no access_token/],
      [{ access_token: 'a\x01b', token_type: 'Bearer' }, /RFC 6750/],
      [{ access_token: 'abc', token_type: 'mac' }, /token_type is mac, not Bearer/],
      [[1, 2], /not a JSON object/],
    ]
    for (const [body, message] of cases) {
      e.failNext(1, 200, body)
      const error = await failure(accessToken({}))
      expect(error.message).toMatch(message)
      expect(error.transient).toBe(false)
    }
  })

  it('checks its options, naming the field and never quoting a value', () => {
    const base = { tokenUrl: 'https://oauth2.example.com/token', clientId: 'c', refreshToken: 'r' }
    const bad: [Record<string, unknown>, RegExp][] = [
      [{ tokenUrl: 'http://oauth2.example.com/token' }, /tokenUrl must be an https:\/\/ URL/],
      [
        { tokenUrl: 'https://user:pw@oauth2.example.com/token' },
        /tokenUrl must not carry credentials/,
      ],
      [{ tokenUrl: 'not a url' }, /tokenUrl must be an absolute/],
      [{ clientId: '' }, /clientId must be a non-empty string/],
      [{ refreshToken: 42 }, /refreshToken must be a non-empty string/],
      [{ clientSecret: '' }, /clientSecret must be a non-empty string/],
      [{ scope: 'a  b' }, /scope must hold scope tokens/],
      [{ timeoutMs: 0 }, /timeoutMs must be a positive number/],
    ]
    for (const [change, message] of bad) {
      const options = { ...base, ...change } as Parameters<typeof refreshTokenProvider>[0]
      expect(() => refreshTokenProvider(options)).toThrow(message)
      expect(() => refreshTokenProvider(options)).toThrow(SmtpError)
      const field = Object.keys(change)[0]
      expect(() => refreshTokenProvider(options)).toThrow(
        expect.objectContaining({ stage: 'input', field }),
      )
    }
    expect(() =>
      refreshTokenProvider({ ...base, tokenUrl: 'http://[::1]:8080/token' }),
    ).not.toThrow()
  })

  it('never shows the refresh token or client secret, whatever the server echoes', async () => {
    const e = await endpoint()
    // Secrets drawn from the characters OAuth servers use, long enough to be secrets.
    const token = fc.stringMatching(/^[A-Za-z0-9\-._~+/]{12,40}$/)
    await fc.assert(
      fc.asyncProperty(
        token,
        token,
        fc.constantFrom(400, 401, 500, 503),
        async (rt, cs, status) => {
          const accessToken = refreshTokenProvider({
            tokenUrl: e.tokenUrl,
            clientId: 'client-1',
            clientSecret: cs,
            refreshToken: rt,
          })
          e.failNext(1, status, {
            error: `invalid_grant ${rt}`,
            error_description: `bad ${encodeURIComponent(rt)} for secret ${cs}`,
          })
          const error = await failure(accessToken({}))
          expect(error.message).toContain('<redacted>')
          for (const s of [rt, cs]) expect(shown(error)).not.toContain(s)
        },
      ),
      { numRuns: 40 },
    )
  })
})
