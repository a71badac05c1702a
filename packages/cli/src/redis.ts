// What `enqueue` and `worker` need to say about the Redis server they use, before and besides
// what @mail/queue does with it.
import { connect } from 'node:net'
import { CliError } from './output.js'

/**
 * `host:port` of a redis:// or rediss:// URL (6379 by default), for messages: never the
 * password the URL may carry.
 *
 * @example
 * redisHostPort('redis://:secret@10.0.0.5/2') // '10.0.0.5:6379'
 */
export function redisHostPort(url: string): string {
  const u = new URL(url)
  if (isUnix(u)) return u.pathname
  return `${u.hostname}:${u.port || '6379'}`
}

/** `redis+unix:///path/to/redis.sock` or `unix:///path/...`: a unix socket. */
const isUnix = (u: URL) => u.protocol === 'redis+unix:' || u.protocol === 'unix:'

/** What a failed connection means, by its errno. */
const PROBLEMS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host not found',
  ENOENT: 'no such socket',
  EACCES: 'permission denied',
}

/**
 * Fails fast, in one line, when nothing listens at the Redis URL's host and port: the Redis
 * client would otherwise retry in silence. Only the TCP connection is tried here; what Redis
 * says after (a password, TLS) is the queue's to report.
 */
export async function checkRedis(url: string, timeoutMs = 5000): Promise<void> {
  let u: URL
  try {
    u = new URL(url)
  } catch {
    throw new CliError('the Redis URL is not a valid URL: redis://[user:password@]host[:port][/db]')
  }
  const at = redisHostPort(url)
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1')
  await new Promise<void>((resolve, reject) => {
    const socket = isUnix(u)
      ? connect({ path: u.pathname, timeout: timeoutMs })
      : connect({ host, port: Number(u.port || 6379), timeout: timeoutMs })
    const fail = (why: string, cause?: unknown) => {
      socket.destroy()
      reject(
        new CliError(
          `cannot reach Redis at ${at}: ${why} (start redis-server, or give --redis URL)`,
          {
            cause,
          },
        ),
      )
    }
    socket.once('connect', () => {
      socket.destroy()
      resolve()
    })
    socket.once('timeout', () => fail(`no answer within ${timeoutMs / 1000} s`))
    socket.once('error', (err: NodeJS.ErrnoException) => {
      const why = PROBLEMS[err.code ?? ''] ?? err.message
      fail(why, err)
    })
  })
}
