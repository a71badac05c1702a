import { inspect } from 'node:util'
import { refreshTokenProvider } from '@mail/smtp/oauth2'
import {
  type AiosmtpdServer,
  startAiosmtpd,
  startMicrosocks,
  startTokenEndpoint,
  stopAfterEach,
  type TokenEndpoint,
} from '@mail/testkit'
import { describe, expect, it } from 'vitest'
import { createTransport, type SendMessage, sendmail } from '../src/index.js'

// A pool of 4 with a token provider against aiosmtpd that accepts only tokens the local token
// endpoint issued and still calls active. The endpoint and the provider share one test clock,
// so an expiry happens exactly when the test says.

const user = 'me@example.com'
const secret = 'cs-Pool-secret-42'
const refresh = 'rt-Pool-refresh-42'

const track = stopAfterEach()

async function setup() {
  let clock = Date.now()
  const endpoint: TokenEndpoint = await track(
    startTokenEndpoint({
      clients: [{ clientId: 'client', clientSecret: secret, refreshToken: refresh, user }],
      expiresIn: 3600,
      now: () => clock,
    }),
  )
  const server: AiosmtpdServer = await track(
    startAiosmtpd({ oauth2: { introspectionUrl: endpoint.introspectionUrl, user } }),
  )
  const log: string[] = []
  const transport = createTransport({
    host: server.host,
    port: server.port,
    security: 'none',
    auth: {
      user,
      accessToken: refreshTokenProvider({
        tokenUrl: endpoint.tokenUrl,
        clientId: 'client',
        clientSecret: secret,
        refreshToken: refresh,
        now: () => clock,
      }),
    },
    pool: { maxConnections: 4, maxMessagesPerConnection: 5 },
    onLog: (e) => log.push(e.line),
  })
  await track({ stop: () => transport.close() })
  return {
    endpoint,
    server,
    transport,
    log,
    advance: (ms: number) => {
      clock += ms
    },
  }
}

const messages = (n: number): SendMessage[] =>
  Array.from({ length: n }, (_, i) => ({
    from: user,
    to: 'you@example.org',
    subject: `message ${i}`,
    text: `number ${i}`,
  }))

/** Sends all, calling `at` once the first `after` results are in; returns the failures. */
async function sendAll(
  transport: ReturnType<typeof createTransport>,
  list: SendMessage[],
  after: number,
  at: () => void,
): Promise<unknown[]> {
  const errors: unknown[] = []
  for await (const r of transport.sendMany(list)) {
    if ('error' in r) errors.push(r.error)
    if (r.index === after - 1) at()
  }
  return errors
}

describe('a pool of 4 with a refresh token provider', () => {
  it('asks the token endpoint once per expiry, not once per connection', async () => {
    const { endpoint, server, transport, advance } = await setup()
    // The first token expires (at the endpoint too) after half of the messages.
    const errors = await sendAll(transport, messages(200), 100, () => advance(3600_000))
    expect(errors).toEqual([])
    expect(await server.waitFor(200)).toHaveLength(200)
    // At least 40 connections authenticated (5 messages each), with two tokens in all.
    expect(endpoint.introspections.filter((i) => i.active).length).toBeGreaterThanOrEqual(40)
    expect(endpoint.requests.map((r) => r.status)).toEqual([200, 200])
    expect(new Set(endpoint.introspections.filter((i) => i.active).map((i) => i.token))).toEqual(
      new Set(endpoint.issued),
    )
  })

  it('refreshes a token revoked mid-run once, and every message is delivered', async () => {
    const { endpoint, server, transport, log } = await setup()
    const errors = await sendAll(transport, messages(200), 100, () =>
      endpoint.revoke(endpoint.issued[0]!),
    )
    expect(errors).toEqual([])
    expect(await server.waitFor(200)).toHaveLength(200)
    expect(endpoint.requests).toHaveLength(2)
    expect(endpoint.introspections.some((i) => !i.active)).toBe(true)
    expect(log).toContain(
      'The server refused the access token; asking the token provider for another',
    )
    for (const token of endpoint.issued) expect(log.join('\n')).not.toContain(token)
  })

  it('rejects invalid_grant with a permanent error, asking once, with no secret shown', async () => {
    const { endpoint, server, transport, log } = await setup()
    endpoint.revokeRefreshToken(refresh)
    const error = await transport.send(messages(1)[0]!).catch((e: unknown) => e)
    expect(error).toMatchObject({
      name: 'SmtpError',
      stage: 'auth',
      permanent: true,
      transient: false,
    })
    expect((error as Error).message).toMatch(/refresh_token grant.*invalid_grant/)
    // Permanent: the transport's retries do not ask again.
    expect(endpoint.requests).toHaveLength(1)
    expect(await server.received()).toEqual([])
    const everything = `${inspect(error, { depth: 6 })}\n${log.join('\n')}`
    for (const s of [secret, refresh]) expect(everything).not.toContain(s)
  })
})

describe('a URL with ?proxy=', () => {
  it('sends through the proxy it names', async () => {
    const server = await track(startAiosmtpd())
    const proxy = await track(startMicrosocks({ auth: { user: 'p', pass: 'p@ss' } }))
    const log: string[] = []
    const info = await sendmail(
      { from: 'a@example.com', to: 'b@example.org', subject: 'via proxy', text: 'hi' },
      {
        url: `smtp://localhost:${server.port}?security=none&proxy=${encodeURIComponent(proxy.url)}`,
        onLog: (e) => log.push(e.line),
      },
    )
    expect(info.accepted).toEqual(['b@example.org'])
    expect(log[0]).toBe(
      `Connected to localhost:${server.port} through the SOCKS5 proxy 127.0.0.1:${proxy.port}`,
    )
    expect(await server.waitFor(1)).toHaveLength(1)
  })
})
