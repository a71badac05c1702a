import { existsSync } from 'node:fs'
import { connect } from 'node:net'
import { dirname } from 'node:path'
import { describe, expect, it } from 'vitest'
import { startRedis } from '../src/index.js'

/** Sends one inline command and resolves with the first reply line. */
function command(target: { port: number } | { path: string }, line: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(target as { port: number; host?: string })
    let data = ''
    socket.setEncoding('utf8')
    socket.on('data', (s: string) => {
      data += s
      if (data.includes('\r\n')) {
        socket.destroy()
        resolve(data.split('\r\n')[0]!)
      }
    })
    socket.on('error', reject)
    socket.write(`${line}\r\n`)
  })
}

describe('startRedis', () => {
  it('answers on its port and its unix socket, keeps nothing on disk, and stop() removes its folder', async () => {
    const redis = await startRedis()
    try {
      expect(redis.url).toBe(`redis://127.0.0.1:${redis.port}`)
      expect(await command({ port: redis.port }, 'PING')).toBe('+PONG')
      expect(await command({ path: redis.socket }, 'SET k v')).toBe('+OK')
      expect(await command({ port: redis.port }, 'GET k')).toBe('$1')
      expect(await command({ port: redis.port }, 'CONFIG GET save')).toBe('*2')
      expect(existsSync(redis.socket)).toBe(true)
    } finally {
      await redis.stop()
    }
    expect(existsSync(dirname(redis.socket))).toBe(false)
    await expect(command({ port: redis.port }, 'PING')).rejects.toThrow(/ECONNREFUSED/)
  })

  it('two servers run side by side on different ports', async () => {
    const [a, b] = await Promise.all([startRedis(), startRedis()])
    try {
      expect(a.port).not.toBe(b.port)
      await command({ port: a.port }, 'SET only-a 1')
      expect(await command({ port: b.port }, 'EXISTS only-a')).toBe(':0')
    } finally {
      await Promise.all([a.stop(), b.stop()])
    }
  })
})
