import { spawn } from 'node:child_process'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { guardChild, stopper } from './cleanup.js'
import { freePort } from './listening.js'

/**
 * A private `redis-server` (Debian) on 127.0.0.1 and on a unix socket in its own temporary
 * folder, with no persistence (no RDB, no AOF): everything it holds goes with `stop()`.
 *
 * @example
 * const redis = await startRedis()
 * try { const queue = createQueue({ connection: redis.url }) ... } finally { await redis.stop() }
 */
export interface RedisServer {
  host: '127.0.0.1'
  port: number
  /** `redis://127.0.0.1:<port>`. */
  url: string
  /** Path of the unix socket (mode 700 folder of the server). */
  socket: string
  /** Kills the server and removes its folder. Idempotent. */
  stop(): Promise<void>
}

/** The line redis-server logs once it accepts connections. */
const READY = /Ready to accept connections/

/** Starts redis-server on a free loopback port; resolves once it logged that it is ready. */
export async function startRedis(): Promise<RedisServer> {
  // redis-server cannot take port 0; a port that was free a moment ago may be taken meanwhile
  // by someone else, so a failed bind is tried again on another port.
  for (let tries = 0; ; tries++) {
    try {
      return await startOn(await freePort())
    } catch (error) {
      if (tries >= 4 || !/Address already in use/i.test((error as Error).message)) throw error
    }
  }
}

async function startOn(port: number): Promise<RedisServer> {
  const dir = await mkdtemp(join(tmpdir(), 'mail-testkit-redis-'))
  const socket = join(dir, 'redis.sock')
  // biome-ignore format: option and value pairs
  const args = [
    '--port', String(port),
    '--bind', '127.0.0.1',
    '--unixsocket', socket,
    '--unixsocketperm', '700',
    '--dir', dir,
    '--save', '',
    '--appendonly', 'no',
    '--daemonize', 'no',
    '--logfile', '',
    '--loglevel', 'notice',
    '--protected-mode', 'yes',
  ]
  // stdin is a pipe: `stopper` ends it, then kills after the grace period (redis ignores stdin).
  const child = spawn('redis-server', args, { stdio: ['pipe', 'pipe', 'pipe'] })
  const unguard = guardChild(child, dir)
  const stopAll = stopper(child, { dir, graceMs: 0, unguard })
  let log = ''
  try {
    await new Promise<void>((resolve, reject) => {
      const onData = (s: string) => {
        log = (log + s).slice(-4000)
        if (READY.test(log)) {
          child.stdout?.off('data', onData)
          child.off('exit', onExit)
          resolve()
        }
      }
      const onExit = () => reject(new Error(`startRedis: redis-server exited: ${log}`))
      child.once('error', (error) => reject(new Error(`startRedis: ${error.message}`)))
      child.once('exit', onExit)
      child.stdout?.setEncoding('utf8').on('data', onData)
      child.stderr?.setEncoding('utf8').on('data', onData)
    })
  } catch (error) {
    await stopAll()
    throw error
  }
  child.stdout?.resume()
  child.stderr?.resume()
  return { host: '127.0.0.1', port, url: `redis://127.0.0.1:${port}`, socket, stop: stopAll }
}
