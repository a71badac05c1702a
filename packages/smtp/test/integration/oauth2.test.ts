import { inspect } from 'node:util'
import {
  type AiosmtpdServer,
  startAiosmtpd,
  startTokenEndpoint,
  type TokenEndpoint,
} from '@mail/testkit'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SmtpClient, SmtpError, type SmtpLogEntry, type TokenContext } from '../../src/index.js'
import { refreshTokenProvider } from '../../src/oauth2/index.js'

// aiosmtpd accepts only tokens the endpoint issued and still calls active (RFC 7662), and
// answers a refused one the way Gmail does: a 334 JSON error challenge, then 535.

const user = 'me@example.com'
const secret = 'cs-Secret-5b1f0e'
const refresh = 'rt-Refresh-77a9c2'
const raw = 'From: me@example.com\r\nTo: you@example.org\r\nSubject: token\r\n\r\nHi.\r\n'
const envelope = { from: user, to: ['you@example.org'] }

let endpoint: TokenEndpoint
const servers: Record<'xoauth2' | 'oauthbearer', AiosmtpdServer> = {} as never

beforeAll(async () => {
  endpoint = await startTokenEndpoint({
    clients: [{ clientId: 'client', clientSecret: secret, refreshToken: refresh, user }],
  })
  const oauth2 = (mechanism: 'XOAUTH2' | 'OAUTHBEARER') => ({
    introspectionUrl: endpoint.introspectionUrl,
    user,
    mechanisms: [mechanism],
  })
  servers.xoauth2 = await startAiosmtpd({ oauth2: oauth2('XOAUTH2') })
  servers.oauthbearer = await startAiosmtpd({ oauth2: oauth2('OAUTHBEARER') })
})
afterAll(async () => {
  await Promise.all([endpoint.stop(), servers.xoauth2.stop(), servers.oauthbearer.stop()])
})

/** A token provider that records how it was asked and answers from `answers` in turn. */
function scripted(answers: (() => Promise<string>)[]) {
  const asked: TokenContext[] = []
  const provider = (context: TokenContext) => {
    asked.push(context)
    const next = answers.shift()
    if (next === undefined) throw new Error('asked too often')
    return next()
  }
  return { asked, provider }
}

const issue = async () => {
  const res = await fetch(endpoint.tokenUrl, {
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'refresh_token',
      refresh_token: refresh,
      client_id: 'client',
      client_secret: secret,
    }),
  })
  return ((await res.json()) as { access_token: string }).access_token
}

async function connect(
  server: AiosmtpdServer,
  accessToken: string | ((c: TokenContext) => Promise<string>),
  log: SmtpLogEntry[] = [],
) {
  return SmtpClient.connect({
    host: server.host,
    port: server.port,
    security: 'none',
    auth: { user, accessToken },
    onLog: (e) => log.push(e),
  })
}

const lines = (log: SmtpLogEntry[]) => log.map((e) => `${e.direction}: ${e.line}`)

describe.each(['xoauth2', 'oauthbearer'] as const)('a token provider with %s', (name) => {
  it('is asked before AUTH and its token is used', async () => {
    const server = servers[name]
    const before = (await server.received()).length
    const token = await issue()
    const { asked, provider } = scripted([async () => token])
    const log: SmtpLogEntry[] = []
    const client = await connect(server, provider, log)
    expect(client.authenticated).toBe(true)
    await client.send(envelope, raw)
    await client.quit()
    expect(asked).toEqual([{}])
    expect(await server.waitFor(before + 1)).toHaveLength(before + 1)
    expect(lines(log)).toContain(`client: AUTH ${name.toUpperCase()} <redacted>`)
    expect(lines(log).join('\n')).not.toContain(token)
  })

  it('after a refusal is asked once more with the refused token, and AUTH is retried once', async () => {
    const good = await issue()
    const { asked, provider } = scripted([async () => 'at-forged-token', async () => good])
    const log: SmtpLogEntry[] = []
    const client = await connect(servers[name], provider, log)
    expect(client.authenticated).toBe(true)
    await client.quit()
    expect(asked).toEqual([{}, { expired: 'at-forged-token' }])
    const said = lines(log)
    expect(said.filter((l) => l.startsWith('client: AUTH '))).toHaveLength(2)
    // The error challenge was answered (the answer itself is logged redacted).
    expect(said).toContain('client: <redacted>')
    expect(said.join('\n')).not.toContain(good)
    expect(said.join('\n')).not.toContain('at-forged-token')
  })

  it('fails after a second refusal, asking no third time', async () => {
    const { asked, provider } = scripted([async () => 'at-forged-1', async () => 'at-forged-2'])
    const log: SmtpLogEntry[] = []
    const error = await connect(servers[name], provider, log).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(SmtpError)
    expect(error).toMatchObject({ stage: 'auth', code: 535, command: 'AUTH' })
    expect(asked).toHaveLength(2)
    expect(lines(log).filter((l) => l.startsWith('client: AUTH '))).toHaveLength(2)
    expect(lines(log).at(-1)).toBe('client: QUIT')
  })
})

describe('the client and its token provider', () => {
  it('does not try again when the provider gives the refused token back', async () => {
    const { asked, provider } = scripted([async () => 'at-same', async () => 'at-same'])
    const log: SmtpLogEntry[] = []
    const error = await connect(servers.xoauth2, provider, log).catch((e: unknown) => e)
    expect(error).toMatchObject({ stage: 'auth', code: 535 })
    expect(asked).toEqual([{}, { expired: 'at-same' }])
    expect(lines(log).filter((l) => l.startsWith('client: AUTH '))).toHaveLength(1)
  })

  it('never retries a refused fixed token', async () => {
    const log: SmtpLogEntry[] = []
    const error = await connect(servers.xoauth2, 'at-fixed-and-wrong', log).catch((e: unknown) => e)
    expect(error).toMatchObject({ stage: 'auth', code: 535 })
    expect(lines(log).filter((l) => l.startsWith('client: AUTH '))).toHaveLength(1)
  })

  it("asks the provider on every connection: caching is the provider's business", async () => {
    const token = await issue()
    const { asked, provider } = scripted([async () => token, async () => token])
    for (let i = 0; i < 2; i++) await (await connect(servers.xoauth2, provider)).quit()
    expect(asked).toEqual([{}, {}])
  })

  it("ends with the provider's own SmtpError, with QUIT and no secret in the transcript", async () => {
    const revoked = 'rt-revoked-93bd'
    const local = await startTokenEndpoint({
      clients: [{ clientId: 'c', clientSecret: secret, refreshToken: revoked }],
    })
    try {
      local.revokeRefreshToken(revoked)
      const log: SmtpLogEntry[] = []
      const accessToken = refreshTokenProvider({
        tokenUrl: local.tokenUrl,
        clientId: 'c',
        clientSecret: secret,
        refreshToken: revoked,
      })
      const error = (await connect(servers.xoauth2, accessToken, log).catch(
        (e: unknown) => e,
      )) as SmtpError
      expect(error).toMatchObject({ stage: 'auth', transient: false, permanent: true })
      expect(error.message).toMatch(
        /^OAuth2 token request \(refresh_token grant\) .* invalid_grant/,
      )
      expect(lines(log).at(-1)).toBe('client: QUIT')
      const everything = `${lines(log).join('\n')}\n${inspect(error, { depth: 5 })}`
      for (const s of [revoked, secret]) expect(everything).not.toContain(s)
    } finally {
      await local.stop()
    }
  })

  it('wraps a provider that throws, and one that gives what no token can be', async () => {
    const thrown = await connect(servers.xoauth2, async () => {
      throw new Error('vault sealed')
    }).catch((e: unknown) => e)
    expect(thrown).toMatchObject({
      stage: 'auth',
      message: 'The token provider failed: vault sealed',
    })
    const bad = await connect(servers.xoauth2, async () => 'a\x01b').catch((e: unknown) => e)
    expect(bad).toMatchObject({ stage: 'input', field: 'auth.accessToken' })
    const notString = await connect(servers.xoauth2, async () => 42 as never).catch(
      (e: unknown) => e,
    )
    expect(notString).toMatchObject({ stage: 'input', field: 'auth.accessToken' })
  })

  it('bounds the wait for the provider by the command timeout', async () => {
    const log: SmtpLogEntry[] = []
    const error = await SmtpClient.connect({
      host: servers.xoauth2.host,
      port: servers.xoauth2.port,
      security: 'none',
      auth: { user, accessToken: () => new Promise<string>(() => {}) },
      timeouts: { command: 300 },
      onLog: (e) => log.push(e),
    }).catch((e: unknown) => e)
    expect(error).toMatchObject({ stage: 'auth', transient: true })
    expect((error as Error).message).toBe(
      'Timed out after 300 ms waiting for the reply to the token provider (asked before AUTH)',
    )
  })

  it('keeps every token it is given out of the transcript', async () => {
    await fc.assert(
      fc.asyncProperty(fc.stringMatching(/^[A-Za-z0-9\-._~+/]{16,60}$/), async (token) => {
        const log: SmtpLogEntry[] = []
        const { provider } = scripted([async () => token, async () => `${token}2`])
        await connect(servers.oauthbearer, provider, log).catch(() => {})
        const all = lines(log).join('\n')
        expect(all).not.toContain(token)
        expect(all).not.toContain(Buffer.from(token).toString('base64').slice(8, 30))
      }),
      { numRuns: 15 },
    )
  })
})
