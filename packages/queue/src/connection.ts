import { Redis, type RedisOptions } from 'ioredis'
import { QueueError } from './errors.js'
import type { RedisConnection } from './types.js'

const UNIX = /^(?:redis\+unix|unix):\/\/(\/[^?#]*)(?:\?db=(\d+))?$/

/**
 * The ioredis options for a connection: a `redis://` or `rediss://` URL as ioredis reads it, a
 * `redis+unix://` or `unix://` URL as a socket path (with an optional `?db=`), or options.
 * BullMQ's workers block on Redis, so commands wait for a reconnection instead of failing
 * after a few retries (`maxRetriesPerRequest: null`).
 *
 * @example
 * redisOptions('unix:///run/redis.sock') // { path: '/run/redis.sock', maxRetriesPerRequest: null }
 */
export function redisOptions(connection: RedisConnection): RedisOptions {
  const fixed = { maxRetriesPerRequest: null }
  if (typeof connection === 'object' && connection !== null) return { ...connection, ...fixed }
  if (typeof connection !== 'string') {
    throw new QueueError('connection', 'must be a redis:// URL or ioredis options')
  }
  const unix = UNIX.exec(connection)
  if (unix !== null) {
    const path = decodeURIComponent(unix[1]!)
    return unix[2] === undefined ? { path, ...fixed } : { path, db: Number(unix[2]), ...fixed }
  }
  if (!/^rediss?:\/\//i.test(connection)) {
    throw new QueueError(
      'connection',
      'must start with redis://, rediss://, redis+unix:// or unix:// (the URL is not repeated here)',
    )
  }
  return { ...parseUrl(connection), ...fixed }
}

/** A redis:// URL as ioredis options (ioredis itself reads it the same way when given the string). */
function parseUrl(url: string): RedisOptions {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    throw new QueueError('connection', 'is not a valid URL')
  }
  const options: RedisOptions = { host: parsed.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1' }
  options.port = parsed.port === '' ? 6379 : Number(parsed.port)
  if (parsed.username !== '') options.username = decodeURIComponent(parsed.username)
  if (parsed.password !== '') options.password = decodeURIComponent(parsed.password)
  const db = parsed.pathname.replace(/^\//, '')
  if (db !== '') {
    if (!/^\d+$/.test(db)) throw new QueueError('connection', 'has a database that is not a number')
    options.db = Number(db)
  }
  if (parsed.protocol === 'rediss:') options.tls = {}
  return options
}

/** Opens a connection (lazily: ioredis connects on the first command). */
export function connect(connection: RedisConnection): Redis {
  // ioredis types its constructor by reply mapping; these options keep the default one.
  return new Redis(redisOptions(connection) as RedisOptions & { replyMapping?: 'legacy' })
}
