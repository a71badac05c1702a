import * as net from 'node:net'
import { connect as tlsConnect } from 'node:tls'
import { inspect } from 'node:util'
import {
  type ProxyServer,
  startMicrosocks,
  startScriptedServer,
  startTinyproxy,
  stopAfterEach,
} from '@mail/testkit'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { parseProxy } from '../../src/proxy/endpoint.js'
import { openTunnel } from '../../src/socket/tunnel.js'
import { failure } from '../helpers/errors.js'

const track = stopAfterEach()

/** An SMTP-like server: greets, answers one line if one comes. */
const greeter = (tls = false) =>
  track(
    startScriptedServer(
      async (c) => {
        c.write('220 greeter\r\n')
        const line = await c.readLine().catch(() => undefined)
        if (line !== undefined) c.write(`250 ${line}\r\n`)
        c.end()
      },
      { tls },
    ),
  )

/** Reads from a tunnel's socket, starting with its head. */
function reader(socket: net.Socket, head: Uint8Array) {
  let text = Buffer.from(head).toString('latin1')
  let wake: (() => void) | undefined
  socket.on('data', (b: Buffer) => {
    text += b.toString('latin1')
    wake?.()
  })
  socket.resume()
  return async (until: string): Promise<string> => {
    while (!text.includes(until)) {
      await new Promise<void>((r) => {
        wake = r
      })
    }
    return text
  }
}

const tunnel = (
  proxy: string | ProxyServer,
  port: number,
  host = 'localhost',
  signal?: AbortSignal,
) =>
  openTunnel(net, parseProxy(typeof proxy === 'string' ? proxy : proxy.url), { host, port }, signal)

describe('openTunnel through tinyproxy (HTTP CONNECT)', () => {
  it('reaches the server by name, with and without credentials', async () => {
    const server = await greeter()
    for (const auth of [undefined, { user: 'mailer', pass: 'Pa55-word' }]) {
      const proxy = await track(
        startTinyproxy({ connectPorts: [server.port], ...(auth ? { auth } : {}) }),
      )
      const { socket, head } = await tunnel(proxy, server.port)
      const read = reader(socket, head)
      expect(await read('\r\n')).toBe('220 greeter\r\n')
      socket.write('EHLO me\r\n')
      expect(await read('250')).toBe('220 greeter\r\n250 EHLO me\r\n')
      socket.destroy()
    }
  })

  it("carries TLS end to end: the certificate is the server's, checked against its name", async () => {
    const server = await greeter(true)
    const proxy = await track(startTinyproxy({ connectPorts: [server.port] }))
    const { socket, head } = await tunnel(proxy, server.port)
    expect(head).toHaveLength(0)
    const secure = tlsConnect({ socket, host: 'localhost', servername: 'localhost', ca: server.ca })
    await new Promise<void>((resolve, reject) => {
      secure.once('secureConnect', () => resolve())
      secure.once('error', reject)
    })
    const greeting = await new Promise<string>((r) => secure.once('data', (d) => r(String(d))))
    expect(greeting).toBe('220 greeter\r\n')
    secure.destroy()
  })

  it('refuses with permanent errors for missing or wrong credentials and policy', async () => {
    const server = await greeter()
    const proxy = await track(
      startTinyproxy({ connectPorts: [server.port], auth: { user: 'u', pass: 'right-1' } }),
    )
    const where = `HTTP proxy 127.0.0.1:${proxy.port} failed at CONNECT to localhost:${server.port}`
    const none = await failure(tunnel(`http://127.0.0.1:${proxy.port}`, server.port))
    expect(none.message).toBe(
      `${where}: the proxy requires a user name and password (http://user:pass@host:port) (HTTP 407 Proxy Authentication Required)`,
    )
    expect(none).toMatchObject({
      stage: 'connect',
      transient: false,
      permanent: true,
      proxy: `127.0.0.1:${proxy.port}`,
    })
    const wrong = await failure(tunnel(`http://u:wrong-2@127.0.0.1:${proxy.port}`, server.port))
    // tinyproxy answers wrong credentials with 401, missing ones with 407.
    expect(wrong.message).toMatch(/: the proxy refused the user name or password \(HTTP 40[17] /)
    expect(inspect(wrong)).not.toContain('wrong-2')
    const policy = await failure(tunnel(proxy, server.port + 1))
    expect(policy.message).toMatch(
      /failed at CONNECT to localhost:\d+: the proxy refuses this destination by policy \(HTTP 403/,
    )
    expect(policy.transient).toBe(false)
  })

  it('is transient when the proxy cannot reach the server, or cannot be reached', async () => {
    const closed = await greeter()
    const port = (await track(startScriptedServer(() => {}))).port
    await closed.stop()
    const proxy = await track(startTinyproxy())
    const unreachable = await failure(tunnel(proxy, closed.port))
    expect(unreachable).toMatchObject({ transient: true })
    expect(unreachable.message).toMatch(
      new RegExp(`failed at CONNECT to localhost:${closed.port}: HTTP 5\\d\\d`),
    )
    await proxy.stop()
    const down = await failure(tunnel(proxy, port))
    expect(down.message).toBe(
      `HTTP proxy 127.0.0.1:${proxy.port} failed at the TCP connection: ECONNREFUSED`,
    )
    expect(down).toMatchObject({
      transient: true,
      permanent: false,
      proxy: `127.0.0.1:${proxy.port}`,
    })
  })
})

describe('openTunnel through microsocks (SOCKS5)', () => {
  it('reaches the server by name, with and without user and password', async () => {
    const server = await greeter()
    for (const auth of [undefined, { user: 'mailer', pass: 'p@ss:w/rd' }]) {
      const proxy = await track(startMicrosocks(auth ? { auth } : {}))
      const { socket, head } = await tunnel(proxy, server.port)
      const read = reader(socket, head)
      expect(await read('\r\n')).toBe('220 greeter\r\n')
      socket.destroy()
    }
  })

  it('refuses with permanent errors for missing or wrong credentials', async () => {
    const server = await greeter()
    const proxy = await track(startMicrosocks({ auth: { user: 'u', pass: 'right' } }))
    const none = await failure(tunnel(`socks5://127.0.0.1:${proxy.port}`, server.port))
    expect(none.message).toMatch(
      new RegExp(
        `^SOCKS5 proxy 127\\.0\\.0\\.1:${proxy.port} failed at the SOCKS5 greeting: the proxy accepts none of the offered methods`,
      ),
    )
    expect(none.transient).toBe(false)
    const wrong = await failure(tunnel(`socks5://u:wr0ng@127.0.0.1:${proxy.port}`, server.port))
    expect(wrong.message).toBe(
      `SOCKS5 proxy 127.0.0.1:${proxy.port} failed at authentication: the proxy refused the user name or password`,
    )
    expect(wrong.transient).toBe(false)
    expect(inspect(wrong)).not.toContain('wr0ng')
  })

  it('is transient when the server refuses the proxy', async () => {
    const closed = await greeter()
    await closed.stop()
    const proxy = await track(startMicrosocks())
    const error = await failure(tunnel(proxy, closed.port))
    expect(error.message).toMatch(new RegExp(`failed at CONNECT to localhost:${closed.port}: `))
    expect(error.transient).toBe(true)
  })
})

describe('openTunnel against scripted proxies', () => {
  /** A SOCKS5 proxy that answers CONNECT with `reply` and then `after`. */
  const socksProxy = (reply: number, after = '') =>
    track(
      startScriptedServer(async (c) => {
        expect([...(await c.read(3))]).toEqual([5, 1, 0])
        c.write(Buffer.from([5, 0]))
        const head = await c.read(5)
        expect([...head.subarray(0, 4)]).toEqual([5, 1, 0, 3])
        // RFC 1928 4: the name goes to the proxy as a domain name (ATYP 3), not an address.
        expect((await c.read(head[4]! + 2)).subarray(0, head[4]).toString()).toBe(
          'smtp.example.com',
        )
        c.write(
          Buffer.concat([Buffer.from([5, reply, 0, 1, 127, 0, 0, 1, 0, 25]), Buffer.from(after)]),
        )
        if (reply !== 0) c.end()
      }),
    )

  it('keeps the greeting that came in the same packet as the SOCKS5 reply', async () => {
    const proxy = await socksProxy(0, '220 fast\r\n')
    const { socket, head } = await tunnel(
      `socks5://127.0.0.1:${proxy.port}`,
      25,
      'smtp.example.com',
    )
    expect(await reader(socket, head)('\r\n')).toBe('220 fast\r\n')
    socket.destroy()
  })

  it('keeps the greeting that came in the same packet as the 200 to CONNECT', async () => {
    const proxy = await track(
      startScriptedServer(async (c) => {
        expect((await c.readUntil('\r\n\r\n')).toString()).toBe(
          'CONNECT [2001:db8::1]:587 HTTP/1.1\r\nHost: [2001:db8::1]:587\r\n' +
            `Proxy-Authorization: Basic ${Buffer.from('me:sécret').toString('base64')}\r\n\r\n`,
        )
        c.write('HTTP/1.1 200 Connection established\r\nVia: x\r\n\r\n220 fast\r\n')
      }),
    )
    const { socket, head } = await tunnel(
      `http://me:s%C3%A9cret@127.0.0.1:${proxy.port}`,
      587,
      '2001:db8::1',
    )
    expect(Buffer.from(head).toString()).toBe('220 fast\r\n')
    socket.destroy()
  })

  it('names a ruleset refusal permanent and a general failure transient', async () => {
    const ruleset = await failure(
      tunnel(`socks5://127.0.0.1:${(await socksProxy(2)).port}`, 25, 'smtp.example.com'),
    )
    expect(ruleset.message).toMatch(
      /failed at CONNECT to smtp\.example\.com:25: the proxy refuses this destination by its ruleset$/,
    )
    expect(ruleset.transient).toBe(false)
    const general = await failure(
      tunnel(`socks5://127.0.0.1:${(await socksProxy(1)).port}`, 25, 'smtp.example.com'),
    )
    expect(general.transient).toBe(true)
  })

  it('refuses what is not an HTTP answer, and a proxy that closes', async () => {
    const garbage = await track(
      startScriptedServer(async (c) => {
        await c.readUntil('\r\n\r\n')
        c.write('SSH-2.0-OpenSSH\r\n\r\n')
      }),
    )
    const notHttp = await failure(tunnel(`http://127.0.0.1:${garbage.port}`, 25))
    expect(notHttp.message).toMatch(
      /failed at CONNECT to localhost:25: its answer is not HTTP\/1\.x$/,
    )
    const closing = await track(
      startScriptedServer(async (c) => {
        await c.readUntil('\r\n\r\n')
        c.end()
      }),
    )
    const closed = await failure(tunnel(`http://127.0.0.1:${closing.port}`, 25))
    expect(closed.message).toMatch(/the proxy closed the connection before answering$/)
    expect(closed.transient).toBe(true)
  })

  it('stops at the signal, naming the step that hung', async () => {
    // The proxy takes the first octet of the client's request and never answers: the signal
    // fires once that octet arrived, with the client waiting in its first step.
    let arrived!: () => void
    const silent = await track(
      startScriptedServer(async (c) => {
        await c.read(1)
        arrived()
        await new Promise(() => {})
      }),
    )
    for (const scheme of ['http', 'socks5']) {
      const controller = new AbortController()
      const requested = new Promise<void>((resolve) => {
        arrived = resolve
      })
      const pending = tunnel(
        `${scheme}://127.0.0.1:${silent.port}`,
        25,
        'localhost',
        controller.signal,
      )
      await requested
      controller.abort(new Error('timeout'))
      const error = await failure(pending)
      expect(error.message).toMatch(
        /failed at (CONNECT to localhost:25|the SOCKS5 handshake): timed out$/,
      )
      expect(error.transient).toBe(true)
    }
  })

  it('never shows the proxy password, whatever fails', async () => {
    const refusing = await track(
      startScriptedServer(async (c) => {
        await c.readUntil('\r\n\r\n')
        c.write('HTTP/1.1 407 Denied\r\n\r\n')
      }),
    )
    const socks = await track(startMicrosocks({ auth: { user: 'u', pass: 'right' } }))
    const password = fc.stringMatching(/^[\x21-\x7e]{6,30}$/)
    await fc.assert(
      fc.asyncProperty(password, fc.boolean(), async (pass, useSocks) => {
        const encoded = encodeURIComponent(pass)
        const url = useSocks
          ? `socks5://u:${encoded}@127.0.0.1:${socks.port}`
          : `http://u:${encoded}@127.0.0.1:${refusing.port}`
        const error = await tunnel(url, 25).then(
          (t) => {
            t.socket.destroy()
            return undefined
          },
          (e: unknown) => e,
        )
        if (pass === 'right') return
        const all = `${String(error)} ${inspect(error, { depth: 5 })}`
        expect(all).toMatch(/proxy 127\.0\.0\.1:\d+ failed at/)
        expect(all).not.toContain(pass)
        expect(all).not.toContain(encoded)
      }),
      { numRuns: 30 },
    )
  })
})
