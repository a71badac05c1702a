import { connect as tlsConnect } from 'node:tls'
import { describe, expect, it } from 'vitest'
import { startScriptedServer } from '../src/index.js'
import { RawClient } from '../src/raw-client.js'

describe('startScriptedServer', () => {
  it('runs the script against a plain connection and upgrades it with startTls', async () => {
    const server = await startScriptedServer(async (c) => {
      c.write('220 scripted\r\n')
      expect(await c.readLine()).toBe('EHLO x')
      c.write('250 STARTTLS\r\n')
      expect(await c.readLine()).toBe('STARTTLS')
      c.write('220 go\r\n')
      await c.startTls()
      expect(await c.readLine()).toBe('DATA')
      c.write('354 go\r\n')
      expect((await c.readUntil('\r\n.\r\n')).toString()).toBe('a\r\nb\r\n.\r\n')
      c.write('250 done\r\n')
      c.end()
    })
    try {
      const client = await RawClient.open(server.port)
      expect(await client.reply()).toBe('220 scripted\r\n')
      expect(await client.command('EHLO x')).toBe('250 STARTTLS\r\n')
      expect(await client.command('STARTTLS')).toBe('220 go\r\n')
      await client.startTls(server.ca)
      expect(await client.command('DATA')).toBe('354 go\r\n')
      expect(await client.command('a\r\nb\r\n.')).toBe('250 done\r\n')
      client.close()
      await server.done()
    } finally {
      await server.stop()
    }
  })

  it('speaks implicit TLS and rejects done() with the script error', async () => {
    const server = await startScriptedServer(
      async (c) => {
        c.write('220 tls\r\n')
        await c.readLine()
      },
      { tls: true },
    )
    try {
      const socket = tlsConnect({
        host: '127.0.0.1',
        port: server.port,
        ca: server.ca,
        servername: 'localhost',
      })
      const greeting = await new Promise<string>((resolve) =>
        socket.once('data', (d) => resolve(String(d))),
      )
      expect(greeting).toBe('220 tls\r\n')
      socket.destroy()
      await expect(server.done()).rejects.toThrow(/connection closed/)
    } finally {
      await server.stop()
    }
  })
})

describe('ScriptedConnection.read', () => {
  it('reads exactly the bytes asked for, in order', async () => {
    const server = await startScriptedServer(async (c) => {
      expect([...(await c.read(3))]).toEqual([5, 1, 0])
      expect([...(await c.read(2))]).toEqual([0xff, 0])
      c.write(Buffer.from([5, 0]))
      await expect(c.read(1)).rejects.toThrow(/closed while waiting for 1 bytes/)
    })
    try {
      const client = await RawClient.open(server.port)
      client.write(Buffer.from([5, 1, 0, 0xff]))
      client.write(Buffer.from([0]))
      client.close()
      await server.done()
    } finally {
      await server.stop()
    }
  })
})
