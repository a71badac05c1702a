import { connect, type Socket } from 'node:net'
import { describe, expect, it } from 'vitest'
import {
  type ProxyServer,
  type ScriptedServer,
  startMicrosocks,
  startScriptedServer,
  startTinyproxy,
  stopAfterEach,
} from '../src/index.js'

const track = stopAfterEach()

/** A server that greets, then echoes one line. */
function echoServer(): Promise<ScriptedServer> {
  return startScriptedServer(async (c) => {
    c.write('hello\r\n')
    c.write(`echo ${await c.readLine()}\r\n`)
    c.end()
  })
}

/** A raw socket and a reader of what arrives. */
async function open(proxy: ProxyServer) {
  const socket: Socket = connect({ host: '127.0.0.1', port: proxy.port })
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve())
    socket.once('error', reject)
  })
  let buffer = Buffer.alloc(0)
  let wake: (() => void) | undefined
  socket.on('data', (b: Buffer) => {
    buffer = Buffer.concat([buffer, b])
    wake?.()
  })
  const read = async (until: (b: Buffer) => number): Promise<Buffer> => {
    for (;;) {
      const n = until(buffer)
      if (n > 0) {
        const out = buffer.subarray(0, n)
        buffer = buffer.subarray(n)
        return out
      }
      await new Promise<void>((r) => {
        wake = r
      })
    }
  }
  const line = async () =>
    (await read((b) => (b.indexOf('\r\n') === -1 ? 0 : b.indexOf('\r\n') + 2))).toString()
  return { socket, read, line }
}

/** Through the tunnel `c`, the echo server `target` greets and echoes a line; then `c` closes. */
async function expectEchoed(c: Awaited<ReturnType<typeof open>>, target: ScriptedServer) {
  expect(await c.line()).toBe('hello\r\n')
  c.socket.write('ping\r\n')
  expect(await c.line()).toBe('echo ping\r\n')
  c.socket.destroy()
  await target.done()
}

describe('startTinyproxy', () => {
  it('tunnels CONNECT to the allowed ports only, asking for Basic credentials when set', async () => {
    const target = await track(echoServer())
    const proxy = await track(
      startTinyproxy({ connectPorts: [target.port], auth: { user: 'u', pass: 'p-1' } }),
    )
    expect(proxy.url).toBe(`http://u:p-1@127.0.0.1:${proxy.port}`)
    const head = (b: Buffer) => (b.indexOf('\r\n\r\n') === -1 ? 0 : b.indexOf('\r\n\r\n') + 4)

    const anonymous = await open(proxy)
    anonymous.socket.write(`CONNECT 127.0.0.1:${target.port} HTTP/1.1\r\nHost: x\r\n\r\n`)
    expect((await anonymous.read(head)).toString()).toMatch(/^HTTP\/1\.[01] 407 /)
    anonymous.socket.destroy()

    const auth = `Proxy-Authorization: Basic ${Buffer.from('u:p-1').toString('base64')}\r\n`
    const wrongPort = await open(proxy)
    wrongPort.socket.write(`CONNECT 127.0.0.1:${target.port + 1} HTTP/1.1\r\n${auth}\r\n`)
    expect((await wrongPort.read(head)).toString()).toMatch(/^HTTP\/1\.[01] 403 /)
    wrongPort.socket.destroy()

    const c = await open(proxy)
    c.socket.write(`CONNECT localhost:${target.port} HTTP/1.1\r\n${auth}\r\n`)
    expect((await c.read(head)).toString()).toMatch(/^HTTP\/1\.[01] 200 /)
    await expectEchoed(c, target)
  })
})

describe('startMicrosocks', () => {
  const connectRequest = (port: number) =>
    Buffer.from([5, 1, 0, 3, 9, ...Buffer.from('localhost'), port >> 8, port & 255])

  it('tunnels a SOCKS5 CONNECT without authentication, resolving the name itself', async () => {
    const target = await track(echoServer())
    const proxy = await track(startMicrosocks())
    expect(proxy.url).toBe(`socks5://127.0.0.1:${proxy.port}`)
    const c = await open(proxy)
    c.socket.write(Buffer.from([5, 1, 0]))
    expect([...(await c.read((b) => (b.length >= 2 ? 2 : 0)))]).toEqual([5, 0])
    c.socket.write(connectRequest(target.port))
    expect((await c.read((b) => (b.length >= 10 ? 10 : 0)))[1]).toBe(0)
    await expectEchoed(c, target)
  })

  it('requires RFC 1929 user and password when set', async () => {
    const proxy = await track(startMicrosocks({ auth: { user: 'u@x', pass: 'p:ss' } }))
    expect(proxy.url).toBe(`socks5://u%40x:p%3Ass@127.0.0.1:${proxy.port}`)
    const two = (b: Buffer) => (b.length >= 2 ? 2 : 0)
    const none = await open(proxy)
    none.socket.write(Buffer.from([5, 1, 0]))
    expect([...(await none.read(two))]).toEqual([5, 0xff])
    none.socket.destroy()
    const login = (user: string, pass: string) =>
      Buffer.from([1, user.length, ...Buffer.from(user), pass.length, ...Buffer.from(pass)])
    const wrong = await open(proxy)
    wrong.socket.write(Buffer.from([5, 1, 2]))
    expect([...(await wrong.read(two))]).toEqual([5, 2])
    wrong.socket.write(login('u@x', 'nope'))
    expect((await wrong.read(two))[1]).not.toBe(0)
    wrong.socket.destroy()
    const right = await open(proxy)
    right.socket.write(Buffer.from([5, 1, 2]))
    await right.read(two)
    right.socket.write(login('u@x', 'p:ss'))
    expect([...(await right.read(two))]).toEqual([1, 0])
    right.socket.destroy()
  })

  it('frees its port when stopped', async () => {
    const proxy = await startMicrosocks()
    await proxy.stop()
    await expect(
      new Promise((resolve, reject) => {
        const s = connect({ host: '127.0.0.1', port: proxy.port })
        s.once('connect', () => resolve(s.destroy()))
        s.once('error', reject)
      }),
    ).rejects.toThrow(/ECONNREFUSED/)
  })
})
