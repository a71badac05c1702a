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
