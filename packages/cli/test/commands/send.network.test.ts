import {
  startAiosmtpd,
  startMicrosocks,
  startTokenEndpoint,
  stopAfterEach,
  type TokenEndpoint,
} from '@mail/testkit'
import { describe, expect, it } from 'vitest'
import { runCli } from '../helpers/cli.js'
import { useWorkDir } from '../helpers/workdir.js'

const work = useWorkDir()
const track = stopAfterEach()

const user = 'me@example.com'
const secret = 'cs-cli-secret-9'
const refresh = 'rt-cli-refresh-9'
const send = ['send', '-f', user, '-t', 'you@example.com', '-s', 'Hi', '--text', 'Hello']

/** A token endpoint and aiosmtpd that takes only its tokens; the URL names the mailbox alone. */
async function oauthServer(): Promise<{
  endpoint: TokenEndpoint
  url: string
  env: Record<string, string>
  received: () => Promise<unknown[]>
}> {
  const endpoint = await track(
    startTokenEndpoint({
      clients: [{ clientId: 'cli', clientSecret: secret, refreshToken: refresh, user }],
    }),
  )
  const server = await track(
    startAiosmtpd({ oauth2: { introspectionUrl: endpoint.introspectionUrl, user } }),
  )
  return {
    endpoint,
    url: `smtp://me%40example.com@127.0.0.1:${server.port}?security=none`,
    env: {
      MAIL_OAUTH2_TOKEN_URL: endpoint.tokenUrl,
      MAIL_OAUTH2_CLIENT_ID: 'cli',
      MAIL_OAUTH2_CLIENT_SECRET: secret,
      MAIL_OAUTH2_REFRESH_TOKEN: refresh,
    },
    received: () => server.received(),
  }
}

describe('mailx send with OAuth2 (refresh_token grant)', () => {
  it('takes the settings from MAIL_OAUTH2_* and the mailbox from the URL', async () => {
    const { endpoint, url, env, received } = await oauthServer()
    const r = await runCli([...send, '--smtp', url, '--verbose'], { cwd: work.dir(), env })
    expect(r.stderr).toContain('C: AUTH OAUTHBEARER <redacted>')
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('accepted: you@example.com')
    expect(await received()).toHaveLength(1)
    expect(endpoint.requests).toHaveLength(1)
    for (const s of [secret, refresh, ...endpoint.issued]) {
      expect(r.stdout + r.stderr).not.toContain(s)
    }
  })

  it('takes --oauth2-* options over the environment', async () => {
    const { endpoint, url, env } = await oauthServer()
    const r = await runCli([...send, '--smtp', url, '--oauth2-client-secret', secret], {
      cwd: work.dir(),
      env: { ...env, MAIL_OAUTH2_CLIENT_SECRET: 'cs-wrong' },
    })
    expect(r.code).toBe(0)
    expect(endpoint.requests[0]?.form.client_secret).toBe(secret)
  })

  it('exits 1 on invalid_grant, naming the step and the code, no secret shown', async () => {
    const { endpoint, url, env } = await oauthServer()
    endpoint.revokeRefreshToken(refresh)
    const r = await runCli([...send, '--smtp', url, '--verbose'], { cwd: work.dir(), env })
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(
      /mailx: auth failed with 127\.0\.0\.1:\d+: OAuth2 token request \(refresh_token grant\) .* invalid_grant/,
    )
    expect(endpoint.requests).toHaveLength(1)
    expect(r.stdout + r.stderr).not.toContain(secret)
    expect(r.stdout + r.stderr).not.toContain(refresh)
  })

  it('says what is missing: a setting, or the mailbox in the URL', async () => {
    const { url, env } = await oauthServer()
    const { MAIL_OAUTH2_REFRESH_TOKEN: _, ...partial } = env
    const missing = await runCli([...send, '--smtp', url], { cwd: work.dir(), env: partial })
    expect(missing.code).toBe(1)
    expect(missing.stderr).toMatch(
      /OAuth2 needs --oauth2-refresh-token \(or MAIL_OAUTH2_REFRESH_TOKEN\)/,
    )
    const noUser = await runCli([...send, '--smtp', 'smtp://127.0.0.1:25'], {
      cwd: work.dir(),
      env,
    })
    expect(noUser.stderr).toMatch(/needs the mailbox in the URL/)
    const inbox = await runCli([...send, '--oauth2-client-id', 'x'], { cwd: work.dir() })
    expect(inbox.stderr).toMatch(/--proxy and --oauth2-\* need --smtp or SMTP_URL/)
  })
})

describe('mailx send through a proxy', () => {
  it('goes through --proxy, or SMTP_PROXY, never showing the proxy password', async () => {
    const server = await track(startAiosmtpd())
    const proxy = await track(startMicrosocks({ auth: { user: 'p', pass: 'Proxy-pw-3' } }))
    const url = `smtp://localhost:${server.port}?security=none`
    const flag = await runCli([...send, '--smtp', url, '--proxy', proxy.url, '--verbose'], {
      cwd: work.dir(),
    })
    expect(flag.code).toBe(0)
    expect(flag.stderr).toContain(
      `* Connected to localhost:${server.port} through the SOCKS5 proxy 127.0.0.1:${proxy.port}`,
    )
    const env = await runCli([...send, '--smtp', url, '--json'], {
      cwd: work.dir(),
      env: { SMTP_PROXY: proxy.url },
    })
    expect(env.code).toBe(0)
    expect(await server.waitFor(2)).toHaveLength(2)
    for (const r of [flag, env]) expect(r.stdout + r.stderr).not.toContain('Proxy-pw-3')
  })

  it('exits 1 naming the proxy when it is down, and never goes around it', async () => {
    const server = await track(startAiosmtpd())
    const down = await startMicrosocks()
    await down.stop()
    const r = await runCli(
      [...send, '--smtp', `smtp://localhost:${server.port}?security=none`, '--proxy', down.url],
      { cwd: work.dir() },
    )
    expect(r.code).toBe(1)
    expect(r.stderr).toBe(
      `mailx: proxy failed: SOCKS5 proxy 127.0.0.1:${down.port} failed at the TCP connection: ECONNREFUSED\n`,
    )
    expect(await server.received()).toEqual([])
  })

  it('names --proxy when its URL is bad, without quoting it', async () => {
    const r = await runCli(
      [...send, '--smtp', 'smtp://localhost:25', '--proxy', 'ftp://u:Secret-5@proxy:21'],
      { cwd: work.dir() },
    )
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(
      /^mailx: bad --proxy \(or SMTP_PROXY\): proxy scheme must be socks5 or http/,
    )
    expect(r.stderr).not.toContain('Secret-5')
  })
})
