import { transportError } from './errors.js'
import type { PoolOptions, RetryOptions, SmtpTransportOptions } from './types.js'

// Connection URLs: smtp://[user[:pass]@]host[:port][/][?option=value&...] and smtps://...
// (RFC 3986 syntax). Errors name the part at fault and never echo any part of the URL: a
// mistyped URL can put the password anywhere.

type Security = NonNullable<SmtpTransportOptions['security']>

/**
 * Never valid in a URL nor in what it decodes to: C0 and C1 controls, DEL, line and paragraph
 * separators, bidirectional controls and lone surrogates (RFC 3986 section 2, RFC 3987 4.1).
 */
const UNSAFE =
  /[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/
const SECURITY: readonly Security[] = ['implicit', 'starttls', 'starttls-opportunistic', 'none']

/** Query options understood in a URL, each applied to the options object. */
const QUERY: Record<string, (options: SmtpTransportOptions, value: string, key: string) => void> = {
  security: (o, v, k) => {
    if (!(SECURITY as readonly string[]).includes(v)) {
      throw transportError(k, `must be one of ${SECURITY.join(', ')}`)
    }
    o.security = v as Security
  },
  name: (o, v, k) => {
    if (v === '' || /\s/.test(v) || UNSAFE.test(v)) throw transportError(k, 'must be a host name')
    o.name = v
  },
  lmtp: (o, v, k) => {
    o.lmtp = bool(v, k)
  },
  allowInsecureAuth: (o, v, k) => {
    o.allowInsecureAuth = bool(v, k)
  },
  preferData: (o, v, k) => {
    o.preferData = bool(v, k)
  },
  rejectUnauthorized: (o, v, k) => {
    o.tls = { ...o.tls, rejectUnauthorized: bool(v, k) }
  },
  smtputf8: (o, v, k) => {
    o.build = { ...o.build, smtputf8: bool(v, k) }
  },
  pool: (o, v, k) => {
    if (bool(v, k)) o.pool = poolOf(o)
    else if (typeof o.pool === 'object')
      throw transportError(k, 'is false but pool options are set')
    else o.pool = false
  },
  maxConnections: (o, v, k) => setPool(o, 'maxConnections', int(v, k, 1)),
  maxMessagesPerConnection: (o, v, k) => setPool(o, 'maxMessagesPerConnection', int(v, k, 1)),
  maxInFlightPerConnection: (o, v, k) => setPool(o, 'maxInFlightPerConnection', int(v, k, 1)),
  idleTimeoutMs: (o, v, k) => setPool(o, 'idleTimeoutMs', int(v, k, 0)),
  slowDownMs: (o, v, k) => setPool(o, 'slowDownMs', int(v, k, 0)),
  rateLimit: (o, v, k) => {
    const match = /^(\d{1,9})\/(\d{1,12})$/.exec(v)
    const messages = Number(match?.[1])
    const perMs = Number(match?.[2])
    if (!match || messages < 1 || perMs < 1) {
      throw transportError(k, 'must be <messages>/<milliseconds>, e.g. 100/60000')
    }
    setPool(o, 'rateLimit', { messages, perMs })
  },
  attempts: (o, v, k) => setRetry(o, 'attempts', int(v, k, 1)),
  backoffMs: (o, v, k) => setRetry(o, 'backoffMs', int(v, k, 0)),
  connectTimeout: (o, v, k) => setTimeout_(o, 'connect', int(v, k, 1)),
  greetingTimeout: (o, v, k) => setTimeout_(o, 'greeting', int(v, k, 1)),
  commandTimeout: (o, v, k) => setTimeout_(o, 'command', int(v, k, 1)),
  dataTimeout: (o, v, k) => setTimeout_(o, 'data', int(v, k, 1)),
  // The proxy URL itself, percent-encoded once more; @mail/smtp checks it (never quoting it).
  proxy: (o, v, k) => {
    if (!/^(socks5h?|http):\/\//i.test(v)) {
      throw transportError(k, 'must be a percent-encoded socks5:// or http:// proxy URL')
    }
    o.proxy = v
  },
}

/**
 * The query option names a URL may carry.
 *
 * @example
 * URL_OPTIONS.includes('security') // true: smtp://host?security=none
 */
export const URL_OPTIONS: readonly string[] = Object.keys(QUERY)

/**
 * Parses an `smtp://` or `smtps://` URL into transport options. User and password are
 * percent-decoded; `smtps` means implicit TLS (default port 465). Throws `SendError` (kind
 * `'transport'`) naming the faulty part; the message never contains the URL or the password.
 *
 * @example
 * parseSmtpUrl('smtps://me%40example.com:p%2Fss@mail.example.com')
 * // { host: 'mail.example.com', security: 'implicit', auth: { user: 'me@example.com', pass: 'p/ss' } }
 */
export function parseSmtpUrl(url: string): SmtpTransportOptions {
  if (typeof url !== 'string') throw transportError('url', 'must be a string')
  // Whitespace and controls are never valid in a URL (RFC 3986 section 2).
  if (/\s/.test(url) || UNSAFE.test(url)) {
    throw transportError('url', 'contains whitespace or controls')
  }
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(url)
  if (!scheme) throw transportError('url', 'must start with smtp:// or smtps://')
  const protocol = scheme[1]!.toLowerCase()
  if (protocol !== 'smtp' && protocol !== 'smtps') {
    throw transportError('url', 'scheme must be smtp or smtps')
  }
  const rest = url.slice(scheme[0].length)
  // RFC 3986 section 3.2: the authority ends at the first '/', '?' or '#'.
  const authorityEnd = rest.search(/[/?#]/)
  const authority = authorityEnd === -1 ? rest : rest.slice(0, authorityEnd)
  const tail = authorityEnd === -1 ? '' : rest.slice(authorityEnd)
  const at = authority.lastIndexOf('@')
  if (at === -1 && tail.includes('@')) {
    throw transportError(
      'url',
      "has an unescaped '/', '?' or '#' in the user or password: percent-encode them",
    )
  }
  const options: SmtpTransportOptions = {}
  if (protocol === 'smtps') options.security = 'implicit'
  if (at !== -1) options.auth = parseUserinfo(authority.slice(0, at))
  parseHostPort(authority.slice(at + 1), options)
  parseTail(tail, options)
  return options
}

function parseUserinfo(userinfo: string): { user: string; pass: string } {
  const colon = userinfo.indexOf(':')
  if (colon === -1) throw transportError('url', 'has a user but no password (user:password@host)')
  const user = decode(userinfo.slice(0, colon), 'user')
  if (user === '') throw transportError('user', 'is empty')
  return { user, pass: decode(userinfo.slice(colon + 1), 'password') }
}

function decode(part: string, field: string): string {
  try {
    return decodeURIComponent(part)
  } catch {
    throw transportError(field, 'is not valid percent-encoding (encode it with encodeURIComponent)')
  }
}

function parseHostPort(hostPort: string, options: SmtpTransportOptions): void {
  let host: string
  let port: string | undefined
  if (hostPort.startsWith('[')) {
    // RFC 3986 section 3.2.2: an IPv6 literal in brackets.
    const close = hostPort.indexOf(']')
    if (close === -1) throw transportError('host', 'has an unclosed IPv6 bracket')
    host = hostPort.slice(1, close)
    if (!/^[0-9A-Fa-f:.]+$/.test(host) || !host.includes(':')) {
      throw transportError('host', 'is not a valid IPv6 address')
    }
    const after = hostPort.slice(close + 1)
    if (after !== '' && !after.startsWith(':')) throw transportError('host', 'is malformed')
    if (after !== '') port = after.slice(1)
  } else {
    const colon = hostPort.indexOf(':')
    host = colon === -1 ? hostPort : hostPort.slice(0, colon)
    if (colon !== -1) port = hostPort.slice(colon + 1)
    if (host === '') throw transportError('host', 'is missing')
    if (/[^\p{L}\p{N}._-]/u.test(host)) throw transportError('host', 'contains invalid characters')
  }
  options.host = host
  if (port !== undefined) {
    if (!/^\d{1,5}$/.test(port) || Number(port) < 1 || Number(port) > 65535) {
      throw transportError('port', 'must be a number from 1 to 65535')
    }
    options.port = Number(port)
  }
}

function parseTail(tail: string, options: SmtpTransportOptions): void {
  if (tail.includes('#')) throw transportError('url', 'must not have a fragment (#)')
  const q = tail.indexOf('?')
  const path = q === -1 ? tail : tail.slice(0, q)
  if (path !== '' && path !== '/') throw transportError('url', 'must not have a path')
  if (q === -1 || q === tail.length - 1) return
  const seen = new Set<string>()
  for (const pair of tail.slice(q + 1).split('&')) {
    if (pair === '') continue
    const eq = pair.indexOf('=')
    const rawKey = eq === -1 ? pair : pair.slice(0, eq)
    const key = /^[A-Za-z][A-Za-z0-9_-]{0,40}$/.test(rawKey) ? rawKey : undefined
    const apply = key === undefined ? undefined : QUERY[key]
    if (key === undefined || apply === undefined) {
      throw transportError(
        key === undefined ? 'url' : `option ${key}`,
        `is not a known query option (known: ${URL_OPTIONS.join(', ')})`,
      )
    }
    if (seen.has(key)) throw transportError(`option ${key}`, 'is given twice')
    seen.add(key)
    apply(
      options,
      eq === -1 ? 'true' : decode(pair.slice(eq + 1), `option ${key}`),
      `option ${key}`,
    )
  }
}

function bool(value: string, key: string): boolean {
  if (value === 'true' || value === '1' || value === 'yes') return true
  if (value === 'false' || value === '0' || value === 'no') return false
  throw transportError(key, 'must be true or false')
}

function int(value: string, key: string, min: number): number {
  const n = /^\d{1,12}$/.test(value) ? Number(value) : Number.NaN
  if (!(n >= min)) throw transportError(key, `must be an integer >= ${min}`)
  return n
}

function poolOf(o: SmtpTransportOptions): PoolOptions {
  return typeof o.pool === 'object' ? o.pool : {}
}

function setPool<K extends keyof PoolOptions>(
  o: SmtpTransportOptions,
  key: K,
  value: PoolOptions[K],
): void {
  if (o.pool === false) throw transportError(`option ${key}`, 'is set but pool is false')
  o.pool = { ...poolOf(o), [key]: value }
}

function setRetry<K extends keyof RetryOptions>(
  o: SmtpTransportOptions,
  key: K,
  value: RetryOptions[K],
): void {
  o.retry = { ...o.retry, [key]: value }
}

function setTimeout_(
  o: SmtpTransportOptions,
  key: 'connect' | 'greeting' | 'command' | 'data',
  value: number,
): void {
  o.timeouts = { ...o.timeouts, [key]: value }
}
