import type { BuildOptions } from '@mail/mime'
import type { DkimOptions } from '@mail/mime/dkim'
import { defaultPort, type SmtpConnectOptions } from '@mail/smtp'
import { SendError, transportError } from './errors.js'
import type { PoolOptions, RetryOptions, SmtpTransportOptions, TransportInput } from './types.js'
import { parseSmtpUrl } from './url.js'

/** Pool settings with every default filled in. */
export interface ResolvedPool {
  maxConnections: number
  maxMessagesPerConnection: number
  rateLimit: { messages: number; perMs: number } | undefined
  idleTimeoutMs: number
  maxInFlightPerConnection: number
  slowDownMs: number
}

/** A transport's configuration, validated once when the transport is created. */
export interface ResolvedTransport {
  connect: SmtpConnectOptions
  pool: ResolvedPool
  retry: { attempts: number; backoffMs: number }
  dkim: DkimOptions[]
  build: BuildOptions | undefined
}

const DEFAULT_IDLE_MS = 30_000
const DEFAULT_IN_FLIGHT = 32
const DEFAULT_SLOW_DOWN_MS = 60_000

/**
 * Every option a transport takes: the `@mail/smtp` connect options and the transport's own. An
 * option outside this list is refused (nothing is silently ignored); add new ones here.
 */
export const TRANSPORT_OPTIONS = [
  'host',
  'port',
  'security',
  'tls',
  'auth',
  'name',
  'lmtp',
  'timeouts',
  'allowInsecureAuth',
  'preferData',
  'onLog',
  'socket',
  'proxy',
  'url',
  'pool',
  'retry',
  'dkim',
  'build',
] as const satisfies readonly (keyof SmtpTransportOptions)[]

/** Fails to compile when SmtpTransportOptions gains a field that the list above does not name. */
type EveryOptionListed<Unlisted extends never> = Unlisted
export type UnlistedTransportOptions = EveryOptionListed<
  Exclude<keyof SmtpTransportOptions, (typeof TRANSPORT_OPTIONS)[number]>
>

const POOL_OPTIONS = [
  'maxConnections',
  'maxMessagesPerConnection',
  'rateLimit',
  'idleTimeoutMs',
  'maxInFlightPerConnection',
  'slowDownMs',
] as const satisfies readonly (keyof PoolOptions)[]
const RETRY_OPTIONS = ['attempts', 'backoffMs'] as const satisfies readonly (keyof RetryOptions)[]
const RATE_LIMIT_OPTIONS = ['messages', 'perMs'] as const

/** Reads SMTP_URL without touching Node-only APIs: `process` may not exist (Workers, browsers). */
export function smtpUrlFromEnvironment(): string | undefined {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process
    ?.env
  const value = env?.SMTP_URL
  return value === undefined || value === '' ? undefined : value
}

/**
 * Validates a transport (URL, options, or SMTP_URL when omitted) and fills in defaults.
 * Throws `SendError` (kind `'transport'`) naming the field; never echoes a password.
 */
export function resolveTransport(input: TransportInput | undefined): ResolvedTransport {
  let options: Exclude<TransportInput, string>
  if (input === undefined || input === null) {
    const url = smtpUrlFromEnvironment()
    if (url === undefined) {
      throw transportError('transport', 'is missing: pass a URL or options, or set SMTP_URL')
    }
    options = parseSmtpUrl(url)
  } else if (typeof input === 'string') {
    options = parseSmtpUrl(input)
  } else if (typeof input === 'object') {
    options = input.url === undefined ? input : mergeUrl(input)
  } else {
    throw transportError('transport', 'must be a URL string or an options object')
  }
  checkKeys(options, TRANSPORT_OPTIONS, '')
  const { url: _url, pool, retry, dkim, build, ...connect } = options
  if (typeof connect.host !== 'string' || connect.host === '') {
    throw transportError('host', 'is missing')
  }
  if (connect.port !== undefined) checkInt(connect.port, 'port', 1, 65535)
  if (retry !== undefined) checkKeys(retry, RETRY_OPTIONS, 'retry.')
  return {
    connect: connect as SmtpConnectOptions,
    pool: resolvePool(pool),
    retry: {
      attempts: checkInt(retry?.attempts ?? 3, 'retry.attempts', 1, 100),
      backoffMs: checkInt(retry?.backoffMs ?? 1000, 'retry.backoffMs', 0, 3_600_000),
    },
    dkim: resolveDkim(dkim),
    build,
  }
}

/**
 * Where a transport connects: its host and port, the default port filled in as `@mail/smtp`
 * chooses it. Throws like `createTransport` for a bad URL or options.
 *
 * @example
 * serverOf('smtps://mail.example.com') // { host: 'mail.example.com', port: 465 }
 */
export function serverOf(transport: TransportInput | undefined): { host: string; port: number } {
  const { host, port, security } = resolveTransport(transport).connect
  return { host, port: port ?? defaultPort(security) }
}

/** URL parts first, explicit fields over them; nested option groups merged field by field. */
function mergeUrl(input: Exclude<TransportInput, string>): Exclude<TransportInput, string> {
  const fromUrl = parseSmtpUrl(input.url as string)
  const merged = { ...fromUrl, ...input }
  delete merged.url
  for (const key of ['tls', 'timeouts', 'retry', 'build'] as const) {
    if (fromUrl[key] !== undefined && input[key] !== undefined) {
      Object.assign(merged, { [key]: { ...fromUrl[key], ...input[key] } })
    }
  }
  if (typeof fromUrl.pool === 'object' && typeof input.pool === 'object') {
    merged.pool = { ...fromUrl.pool, ...input.pool }
  } else if (typeof fromUrl.pool === 'object' && input.pool === true) {
    merged.pool = fromUrl.pool
  }
  return merged
}

function resolvePool(pool: Exclude<TransportInput, string>['pool']): ResolvedPool {
  if (pool === undefined || pool === false) {
    // No pool: one connection kept open between messages, never recycled by count.
    return {
      maxConnections: 1,
      maxMessagesPerConnection: Number.POSITIVE_INFINITY,
      rateLimit: undefined,
      idleTimeoutMs: DEFAULT_IDLE_MS,
      maxInFlightPerConnection: DEFAULT_IN_FLIGHT,
      slowDownMs: DEFAULT_SLOW_DOWN_MS,
    }
  }
  const p = pool === true ? {} : pool
  if (typeof p !== 'object' || p === null) throw transportError('pool', 'must be true or an object')
  checkKeys(p, POOL_OPTIONS, 'pool.')
  let rateLimit: ResolvedPool['rateLimit']
  if (p.rateLimit !== undefined) {
    if (typeof p.rateLimit === 'object' && p.rateLimit !== null) {
      checkKeys(p.rateLimit, RATE_LIMIT_OPTIONS, 'pool.rateLimit.')
    }
    rateLimit = {
      messages: checkInt(p.rateLimit?.messages, 'pool.rateLimit.messages', 1, 1e9),
      perMs: checkInt(p.rateLimit?.perMs, 'pool.rateLimit.perMs', 1, 1e12),
    }
  }
  return {
    maxConnections: checkInt(p.maxConnections ?? 5, 'pool.maxConnections', 1, 1000),
    maxMessagesPerConnection:
      p.maxMessagesPerConnection === Number.POSITIVE_INFINITY
        ? p.maxMessagesPerConnection
        : checkInt(p.maxMessagesPerConnection ?? 100, 'pool.maxMessagesPerConnection', 1, 1e12),
    rateLimit,
    idleTimeoutMs: checkInt(p.idleTimeoutMs ?? DEFAULT_IDLE_MS, 'pool.idleTimeoutMs', 0, 1e12),
    maxInFlightPerConnection: checkInt(
      p.maxInFlightPerConnection ?? DEFAULT_IN_FLIGHT,
      'pool.maxInFlightPerConnection',
      1,
      100_000,
    ),
    slowDownMs: checkInt(p.slowDownMs ?? DEFAULT_SLOW_DOWN_MS, 'pool.slowDownMs', 0, 1e12),
  }
}

/** DKIM options as a list, each checked for its required fields. */
export function resolveDkim(dkim: Exclude<TransportInput, string>['dkim']): DkimOptions[] {
  if (dkim === undefined) return []
  const list = Array.isArray(dkim) ? dkim : [dkim]
  list.forEach((d, i) => {
    const field = Array.isArray(dkim) ? `dkim[${i}]` : 'dkim'
    if (typeof d !== 'object' || d === null) throw transportError(field, 'must be an object')
    for (const key of ['domain', 'selector', 'privateKey'] as const) {
      if (typeof d[key] !== 'string' || d[key] === '') {
        throw transportError(`${field}.${key}`, 'must be a non-empty string')
      }
    }
  })
  return list
}

// Options of other mailers (Nodemailer's spellings), with what to write here instead.
const MISPLACED: Record<string, string> = {
  secure: "use security: 'implicit' (TLS from the start) or 'starttls'",
  requireTLS: "use security: 'starttls' (the default for a non-loopback host)",
  ignoreTLS: "use security: 'none'",
  opportunisticTLS: "use security: 'starttls-opportunistic'",
  service: 'give host and port (or a URL)',
  user: 'use auth: { user, pass }',
  pass: 'use auth: { user, pass }',
  authMethod: 'the mechanism is chosen from what the server offers; give auth: { user, pass }',
  maxConnections: 'belongs in pool: { maxConnections }',
  maxMessages: 'use pool: { maxMessagesPerConnection }',
  rateLimit: 'belongs in pool: { rateLimit: { messages, perMs } }',
  rateDelta: 'use pool: { rateLimit: { messages, perMs } }',
  connectionTimeout: 'use timeouts: { connect }',
  greetingTimeout: 'use timeouts: { greeting }',
  socketTimeout: 'use timeouts: { command, data }',
  logger: 'use onLog: (entry) => ...',
  debug: 'use onLog: (entry) => ...',
  signal: 'pass it with each message: transport.send(message, { signal })',
  disableFileAccess: '@mail/send never reads files or URLs: give attachment content',
  disableUrlAccess: '@mail/send never reads files or URLs: give attachment content',
}

/**
 * Refuses keys outside `known` (SendError kind 'transport' naming `prefix + key`), with what to
 * write instead for the spellings other mailers use.
 */
export function checkKeys(options: object, known: readonly string[], prefix: string): void {
  for (const key of Object.keys(options)) {
    if (known.includes(key)) continue
    const hint = prefix === '' && Object.hasOwn(MISPLACED, key) ? MISPLACED[key] : undefined
    throw transportError(
      prefix + key,
      hint === undefined
        ? `is not an option of @mail/send (${prefix === '' ? 'options' : prefix.slice(0, -1)}: ${known.join(', ')})`
        : `is not an option of @mail/send: ${hint}`,
    )
  }
}

/** What `send`, `sendRaw` and `sendmail` take with each message. */
export const SEND_OPTIONS = ['signal', 'beforeEnd', 'onProgress'] as const
/** What `sendMany` takes. */
export const SEND_MANY_OPTIONS = ['signal', 'window'] as const

/**
 * Refuses a key of a call's `options` outside `known` (SendError kind 'transport', field
 * `options.<key>`): a misspelt `signal` would never abort, a misspelt `onProgress` never report.
 */
export function checkCallOptions(
  options: object | undefined,
  known: readonly string[],
  call: string,
): void {
  if (options === undefined || options === null) return
  for (const key of Object.keys(options)) {
    if (known.includes(key)) continue
    throw new SendError(
      'transport',
      `options.${key} is not an option of ${call} (${known.join(', ')})`,
      { field: `options.${key}` },
    )
  }
}

function checkInt(value: unknown, field: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw transportError(field, `must be an integer from ${min} to ${max}`)
  }
  return value
}
