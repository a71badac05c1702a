import { inspect } from 'node:util'
import {
  type AiosmtpdServer,
  type ProxyServer,
  startAiosmtpd,
  startMicrosocks,
  startScriptedServer,
  startTinyproxy,
} from '@mail/testkit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SmtpClient, SmtpError, type SmtpLogEntry } from '../../src/index.js'
import { cloudflareSockets } from '../../src/socket/cloudflare.js'

// Real proxies from Debian on loopback: tinyproxy (HTTP CONNECT) and microsocks (SOCKS5), each
// with and without credentials, in front of aiosmtpd speaking STARTTLS or TLS from the first
// byte. The client dials `localhost`, which the proxy resolves; TLS runs end to end.

const auth = { user: 'mailer', pass: 'Proxy-pass-1' }
const login = { user: 'alice', pass: 'smtp-secret' }
const raw = 'From: a@example.com\r\nTo: b@example.org\r\nSubject: proxied\r\n\r\nThrough.\r\n'
const envelope = { from: 'a@example.com', to: ['b@example.org'] }

const servers: Record<
  'starttls' | 'implicit' | 'plain' | 'wrongStarttls' | 'wrongImplicit',
  AiosmtpdServer
> = {} as never
const proxies: Record<string, ProxyServer> = {}
const stoppers: { stop(): Promise<void> }[] = []

beforeAll(async () => {
  const wrong = { tlsNames: ['mail.example.test'] }
  const started = await Promise.all([
    startAiosmtpd({ security: 'starttls', requireStarttls: true, auth: login }),
    startAiosmtpd({ security: 'implicit', auth: login }),
    startAiosmtpd({ security: 'none', auth: login }),
    startAiosmtpd({ security: 'starttls', requireStarttls: true, ...wrong }),
    startAiosmtpd({ security: 'implicit', ...wrong }),
  ])
  ;[
    servers.starttls,
    servers.implicit,
    servers.plain,
    servers.wrongStarttls,
    servers.wrongImplicit,
  ] = started as [AiosmtpdServer, AiosmtpdServer, AiosmtpdServer, AiosmtpdServer, AiosmtpdServer]
  stoppers.push(...started)
  // Debian's tinyproxy allows CONNECT to 443 and 563 only: the test ports are listed.
  const connectPorts = started.map((s) => s.port)
  const [a, b, c, d] = await Promise.all([
    startTinyproxy({ connectPorts }),
    startTinyproxy({ connectPorts, auth }),
    startMicrosocks(),
    startMicrosocks({ auth }),
  ])
  Object.assign(proxies, {
    tinyproxy: a,
    'tinyproxy with a password': b,
    microsocks: c,
    'microsocks with a password': d,
  })
  stoppers.push(a!, b!, c!, d!)
})
afterAll(async () => {
  await Promise.all(stoppers.map((s) => s.stop()))
})

const names = ['tinyproxy', 'tinyproxy with a password', 'microsocks', 'microsocks with a password']

describe.each(names)('through %s', (name) => {
  it.each(['starttls', 'implicit'] as const)(
    'delivers with %s, TLS end to end',
    async (security) => {
      const proxy = proxies[name]!
      const server = servers[security]
      const before = (await server.received()).length
      const log: SmtpLogEntry[] = []
      const client = await SmtpClient.connect({
        host: 'localhost',
        port: server.port,
        security,
        tls: { ca: server.ca },
        auth: login,
        proxy: proxy.url,
        onLog: (e) => log.push(e),
      })
      expect(client.secure).toBe(true)
      expect(client.authenticated).toBe(true)
      await client.send(envelope, raw)
      await client.quit()
      const got = await server.waitFor(before + 1)
      expect(got.at(-1)!.data.toString()).toBe(raw)
      const kind = name.startsWith('tinyproxy') ? 'HTTP' : 'SOCKS5'
      expect(log[0]?.line).toBe(
        `Connected to localhost:${server.port} through the ${kind} proxy 127.0.0.1:${proxy.port}`,
      )
      expect(log.map((e) => e.line).join('\n')).not.toContain(auth.pass)
    },
  )

  it.each(['wrongStarttls', 'wrongImplicit'] as const)(
    'still refuses a certificate for another name (%s)',
    async (which) => {
      const server = servers[which]
      const error = await SmtpClient.connect({
        host: 'localhost',
        port: server.port,
        security: which === 'wrongImplicit' ? 'implicit' : 'starttls',
        tls: { ca: server.ca },
        proxy: proxies[name]!.url,
      }).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(SmtpError)
      expect(error).toMatchObject({ stage: 'tls', hint: 'untrusted-certificate' })
      expect((error as Error).message).toMatch(/localhost/)
      expect(await server.received()).toEqual([])
    },
  )
})

describe('a proxied connection', () => {
  it('is not loopback: no credentials in clear, STARTTLS required by default', async () => {
    const proxy = proxies.microsocks!
    const target = { host: 'localhost', port: servers.plain.port, proxy: proxy.url }
    const opportunistic = await SmtpClient.connect({
      ...target,
      security: 'starttls-opportunistic',
      auth: login,
    }).catch((e: unknown) => e)
    expect(opportunistic).toMatchObject({ stage: 'auth', hint: 'plaintext-auth' })
    const byDefault = await SmtpClient.connect(target).catch((e: unknown) => e)
    expect(byDefault).toMatchObject({ stage: 'starttls', hint: 'starttls-unavailable' })
  })
})

describe('a failing proxy', () => {
  it('names the proxy and never goes around it when it is down', async () => {
    const down = await startMicrosocks()
    await down.stop()
    for (const url of [down.url, `http://127.0.0.1:${down.port}`]) {
      const error = (await SmtpClient.connect({
        host: 'localhost',
        port: servers.plain.port,
        security: 'none',
        proxy: url,
      }).catch((e: unknown) => e)) as SmtpError
      expect(error).toBeInstanceOf(SmtpError)
      expect(error).toMatchObject({
        stage: 'connect',
        transient: true,
        proxy: `127.0.0.1:${down.port}`,
      })
      expect(error.message).toMatch(
        new RegExp(
          `^(SOCKS5|HTTP) proxy 127\\.0\\.0\\.1:${down.port} failed at the TCP connection: ECONNREFUSED$`,
        ),
      )
    }
    expect(await servers.plain.received()).toEqual([])
  })

  it('refuses bad credentials permanently, without the password anywhere', async () => {
    const attempts = [
      `socks5://mailer:Wrong-pass-7@127.0.0.1:${proxies['microsocks with a password']!.port}`,
      `http://mailer:Wrong-pass-7@127.0.0.1:${proxies['tinyproxy with a password']!.port}`,
    ]
    for (const url of attempts) {
      const log: SmtpLogEntry[] = []
      const error = (await SmtpClient.connect({
        host: 'localhost',
        port: servers.starttls.port,
        proxy: url,
        onLog: (e) => log.push(e),
      }).catch((e: unknown) => e)) as SmtpError
      expect(error).toMatchObject({ stage: 'connect', transient: false, permanent: true })
      expect(error.message).toMatch(
        /proxy 127\.0\.0\.1:\d+ failed at (authentication|CONNECT to localhost:\d+): the proxy refused the user name or password/,
      )
      const all = `${inspect(error, { depth: 5 })}\n${log.map((e) => e.line).join('\n')}`
      expect(all).not.toContain('Wrong-pass-7')
    }
  })

  it('refuses a destination by policy permanently (tinyproxy ConnectPort)', async () => {
    const closed = await startScriptedServer(() => {})
    await closed.stop()
    const error = await SmtpClient.connect({
      host: 'localhost',
      port: closed.port,
      proxy: proxies.tinyproxy!.url,
    }).catch((e: unknown) => e)
    expect(error).toMatchObject({ stage: 'connect', permanent: true })
    expect((error as Error).message).toMatch(/refuses this destination by policy \(HTTP 403/)
  })

  it('is transient when the proxy cannot reach the server', async () => {
    const closed = await startScriptedServer(() => {})
    await closed.stop()
    const error = await SmtpClient.connect({
      host: 'localhost',
      port: closed.port,
      proxy: proxies.microsocks!.url,
    }).catch((e: unknown) => e)
    expect(error).toMatchObject({ stage: 'connect', transient: true, permanent: false })
    expect((error as Error).message).toMatch(
      new RegExp(`failed at CONNECT to localhost:${closed.port}`),
    )
  })

  it('times out within the connect timeout, naming the step that hung', async () => {
    const silent = await startScriptedServer(() => new Promise(() => {}))
    try {
      const error = await SmtpClient.connect({
        host: 'localhost',
        port: 587,
        proxy: `socks5://127.0.0.1:${silent.port}`,
        timeouts: { connect: 200 },
      }).catch((e: unknown) => e)
      expect(error).toMatchObject({ stage: 'connect', transient: true })
      expect((error as Error).message).toBe(
        `SOCKS5 proxy 127.0.0.1:${silent.port} failed at the SOCKS5 handshake: timed out`,
      )
    } finally {
      await silent.stop()
    }
  })

  it('is refused on Workers, which have no raw proxies', async () => {
    const error = await SmtpClient.connect({
      host: 'smtp.example.com',
      socket: cloudflareSockets,
      proxy: 'socks5://proxy.corp:1080',
    }).catch((e: unknown) => e)
    expect(error).toMatchObject({ stage: 'input', field: 'proxy' })
    expect((error as Error).message).toMatch(/Cloudflare Workers have no raw proxies/)
  })
})
