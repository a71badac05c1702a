import { startScriptedServer } from '@mail/testkit'
import { describe, expect, it } from 'vitest'
import { nodeSockets } from '../../src/socket/node.js'
import type { SmtpSocket } from '../../src/socket/types.js'

const read = (socket: SmtpSocket) => {
  let text = ''
  let closed: ((e?: Error) => void) | undefined
  const done = new Promise<Error | undefined>((r) => {
    closed = r
  })
  socket.setHandlers({
    data: (b) => {
      text += Buffer.from(b).toString('latin1')
    },
    close: (e) => closed?.(e),
  })
  return { text: () => text, done }
}

describe('nodeSockets', () => {
  it('writes several chunks in order and reports the server closing', async () => {
    const server = await startScriptedServer(async (c) => {
      c.write('hello\r\n')
      expect(await c.readLine()).toBe('one two three')
      c.end()
    })
    const socket = await nodeSockets.connect({ host: '127.0.0.1', port: server.port, tls: false })
    const r = read(socket)
    const enc = new TextEncoder()
    expect(socket.write([enc.encode('one '), enc.encode('two '), enc.encode('three\r\n')])).toBe(
      true,
    )
    expect(await r.done).toBeUndefined()
    expect(r.text()).toBe('hello\r\n')
    await server.done()
    await server.stop()
  })

  it('writes text as UTF-8 in one write', async () => {
    const server = await startScriptedServer(async (c) => {
      const line = await c.readUntil('\r\n')
      expect(line.equals(Buffer.from('MAIL FROM:<jörg@example.com>\r\n', 'utf8'))).toBe(true)
      c.end()
    })
    const socket = await nodeSockets.connect({ host: '127.0.0.1', port: server.port, tls: false })
    const r = read(socket)
    expect(socket.writeText?.('MAIL FROM:<jörg@example.com>\r\n')).toBe(true)
    expect(await r.done).toBeUndefined()
    await server.done()
    await server.stop()
  })

  it('keeps what the server sent before the handlers were set, and its close', async () => {
    const server = await startScriptedServer((c) => {
      c.write('220 early\r\n')
      c.end()
    })
    const socket = await nodeSockets.connect({ host: '127.0.0.1', port: server.port, tls: false })
    await server.done()
    await new Promise((ok) => setTimeout(ok, 50))
    const r = read(socket)
    await r.done
    expect(r.text()).toBe('220 early\r\n')
    await server.stop()
  })

  it('upgrades in place with STARTTLS, verifying an IP address against the certificate', async () => {
    const server = await startScriptedServer(async (c) => {
      c.write('ready\r\n')
      await c.startTls()
      expect(await c.readLine()).toBe('secret')
      c.write('ok\r\n')
      c.end()
    })
    const socket = await nodeSockets.connect({ host: '127.0.0.1', port: server.port, tls: false })
    const r = read(socket)
    while (r.text() !== 'ready\r\n') await new Promise((ok) => setTimeout(ok, 5))
    await socket.startTls({ tlsOptions: { ca: server.ca } })
    socket.write([new TextEncoder().encode('secret\r\n')])
    await r.done
    expect(r.text()).toBe('ready\r\nok\r\n')
    await server.stop()
  })

  it('refuses a certificate it cannot verify', async () => {
    const server = await startScriptedServer(() => {}, { tls: true })
    await expect(
      nodeSockets.connect({
        host: 'localhost',
        port: server.port,
        tls: true,
        servername: 'localhost',
      }),
    ).rejects.toThrow(/certificate/)
    await server.stop()
  })

  it('gives an EHLO name: a dotted host name or an address literal', async () => {
    const server = await startScriptedServer(async (c) => {
      await c.readLine().catch(() => {})
    })
    const socket = await nodeSockets.connect({ host: '127.0.0.1', port: server.port, tls: false })
    expect(nodeSockets.localName?.(socket)).toMatch(
      /^(\[127\.0\.0\.1\]|[a-z0-9-]+(\.[a-z0-9-]+)+)$/i,
    )
    socket.close(false)
    await server.stop()
  })

  it('stops connecting when aborted', async () => {
    const controller = new AbortController()
    controller.abort(new Error('stop'))
    await expect(
      nodeSockets.connect({ host: '127.0.0.1', port: 9, tls: false, signal: controller.signal }),
    ).rejects.toThrow('stop')
  })
})
