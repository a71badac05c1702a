import { assertCredentials, type Credentials } from './auth/index.js'
import { inputError } from './errors.js'
import { assertClientName } from './protocol/commands.js'
import { firstUnsafe, shown } from './protocol/text.js'
import type { Security } from './protocol/types.js'
import { type ProxyEndpoint, parseProxy } from './proxy/endpoint.js'
import type { SocketAdapter, TlsOptions } from './socket/types.js'

/** Timeouts in milliseconds; defaults follow RFC 5321 4.5.3.2 where it names one. */
export interface SmtpTimeouts {
  /** Opening the TCP (and implicit TLS) connection, the host name's lookup included. Default 30 s. */
  connect?: number
  /**
   * The 220 greeting. Default 30 s, as most clients wait (RFC 5321 4.5.3.2.1's 5 minutes would
   * leave a client facing a port that speaks TLS, or a dead server, hanging for minutes); 5 s on
   * port 465 without security 'implicit', where a silent server almost surely expects TLS.
   */
  greeting?: number
  /** Each command's reply (EHLO, STARTTLS and its handshake, AUTH, MAIL, RCPT, RSET...). Default 5 min. */
  command?: number
  /** The 354 reply to DATA. Default 2 min (or `command` when smaller). */
  dataInit?: number
  /** Sending the content and the reply to its end ('.' or BDAT LAST). Default 10 min. */
  data?: number
}

/** One log entry of the conversation; AUTH secrets appear as '<redacted>'. */
export interface SmtpLogEntry {
  direction: 'client' | 'server' | 'info'
  line: string
}

/**
 * How to reach and talk to the server. Unknown keys are refused (an {@link SmtpError} with stage
 * `'input'` naming the key), so a misspelt or foreign option never goes silently unused.
 *
 * @example
 * { host: 'smtp.example.com', port: 587, auth: { user: 'me', pass: 'secret' } }
 */
export interface SmtpConnectOptions {
  host: string
  /** Default 587, or 465 with security 'implicit'. */
  port?: number
  /**
   * Default: 'implicit' on port 465; else, once connected, 'starttls-opportunistic' when the
   * connected address is a loopback address (127.0.0.0/8, ::1), 'starttls' otherwise.
   */
  security?: Security
  /** Passed to the TLS layer, e.g. `{ ca }` or `{ rejectUnauthorized: false }`. */
  tls?: TlsOptions
  auth?: Credentials
  /** The EHLO name. Default: this machine's FQDN, else its address literal. */
  name?: string
  /** Speak LMTP (RFC 2033): LHLO, one reply per recipient after the content. */
  lmtp?: boolean
  timeouts?: SmtpTimeouts
  /** Permit AUTH over plaintext to an address that is not loopback. Default false. */
  allowInsecureAuth?: boolean
  /** Use DATA even when the server offers CHUNKING. */
  preferData?: boolean
  /** Transcript hook, AUTH secrets redacted. */
  onLog?: (entry: SmtpLogEntry) => void
  /** The socket seam; chosen for the runtime when absent. */
  socket?: SocketAdapter
  /** Aborts connecting (and the handshake). */
  signal?: AbortSignal
  /**
   * Connect through a proxy: 'socks5://[user:pass@]host[:port]' (SOCKS5, RFC 1928; the proxy
   * resolves the SMTP host's name; port 1080 by default) or 'http://[user:pass@]host:port'
   * (HTTP CONNECT). TLS still runs end to end with the SMTP server, its certificate checked
   * against `host`. A proxy that fails is an error, never a reason to connect directly. Node,
   * Bun and Deno only: Workers have no raw proxies.
   */
  proxy?: string
}

/**
 * Every key {@link SmtpConnectOptions} accepts; any other is refused. A wrapper that passes its
 * own options through (as `@mail/send` does) can check them against this list.
 *
 * @example CONNECT_OPTION_KEYS.includes('security') // true
 */
export const CONNECT_OPTION_KEYS: readonly string[] = Object.keys({
  host: true,
  port: true,
  security: true,
  tls: true,
  auth: true,
  name: true,
  lmtp: true,
  timeouts: true,
  allowInsecureAuth: true,
  preferData: true,
  onLog: true,
  socket: true,
  signal: true,
  proxy: true,
} satisfies Record<keyof SmtpConnectOptions, true>)

const TIMEOUT_KEYS = ['connect', 'greeting', 'command', 'dataInit', 'data'] as const

const POOLING = "belongs to @mail/send's createTransport({ pool })"

// What users of other mailers (Nodemailer above all) write, and what to write here instead.
const INSTEAD: Record<string, string> = {
  secure: "use security: 'implicit' for TLS from the first byte (port 465), or 'starttls'",
  requireTLS: "use security: 'starttls' (the default unless the server is on a loopback address)",
  ignoreTLS: "use security: 'none'",
  opportunisticTLS: "use security: 'starttls-opportunistic'",
  service: 'give the host and port of the server',
  user: 'use auth: { user, pass }',
  pass: 'use auth: { user, pass }',
  authMethod: 'use auth: { user, pass, mechanism }',
  greetingTimeout: 'use timeouts: { greeting }',
  connectionTimeout: 'use timeouts: { connect }',
  socketTimeout: 'use timeouts: { command, data }',
  dnsTimeout: 'use timeouts: { connect }, which includes looking up the host name',
  localAddress: 'choosing the local address is not supported; pass a socket adapter as socket',
  logger: 'use onLog: (entry) => ..., which receives the conversation with AUTH secrets redacted',
  debug: 'use onLog: (entry) => ..., which receives the conversation with AUTH secrets redacted',
  transactionLog:
    'use onLog: (entry) => ..., which receives the conversation with AUTH secrets redacted',
  url: 'URLs are read by @mail/send (sendmail, createTransport); give host, port and security here',
  pool: POOLING,
  maxConnections: POOLING,
  maxMessages: POOLING,
  rateLimit: POOLING,
  rateDelta: POOLING,
  dkim: "belongs to @mail/send's createTransport({ dkim })",
}

/** Connect options validated, with the defaults that can be known before connecting. */
export interface ResolvedOptions {
  host: string
  port: number
  /** Undefined: decided once connected, from the connected address (see {@link securityFor}). */
  security: Security | undefined
  timeouts: Required<SmtpTimeouts>
  /** The proxy to connect through, parsed. */
  proxy?: ProxyEndpoint | undefined
}

const MIN = 60_000
const GREETING = 30_000
// Port 465 is the implicit-TLS submission port (RFC 8314 3.3): waiting for a plaintext greeting
// there is almost surely waiting for a server that waits for our TLS ClientHello.
const TLS_PORT = 465
const TLS_PORT_GREETING = 5_000

/**
 * The port used when none is given (RFC 8314 3.3, RFC 6409 3.1): 465 for implicit TLS, else 587.
 *
 * @example
 * defaultPort('implicit') // 465
 */
export function defaultPort(security?: Security): number {
  return security === 'implicit' ? 465 : 587
}

const SECURITY = new Set(['implicit', 'starttls', 'starttls-opportunistic', 'none'])

function timeout(value: number | undefined, fallback: number, field: string): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !(value > 0) || value > 2 ** 31 - 1) {
    throw inputError(`${field} must be a positive number of milliseconds`, field)
  }
  return value
}

function assertKnownKeys(o: object, known: readonly string[], path: string): void {
  for (const key of Object.keys(o)) {
    if (known.includes(key)) continue
    const field = path === '' ? key : `${path}.${key}`
    const instead = path === '' && Object.hasOwn(INSTEAD, key) ? INSTEAD[key] : undefined
    const detail = instead ?? `known options: ${known.join(', ')}`
    throw inputError(`Unknown option ${shown(field)}: ${detail}`, field)
  }
}

/** Validates connect options and fills the defaults that do not depend on the connection. */
export function resolveOptions(o: SmtpConnectOptions): ResolvedOptions {
  if (o === null || typeof o !== 'object') throw inputError('options are required')
  assertKnownKeys(o, CONNECT_OPTION_KEYS, '')
  if (typeof o.host !== 'string' || o.host === '' || /\s/.test(o.host) || firstUnsafe(o.host)) {
    throw inputError('host must be a host name or address', 'host')
  }
  if (o.security !== undefined && !SECURITY.has(o.security)) {
    throw inputError(`security must be one of ${[...SECURITY].join(', ')}`, 'security')
  }
  if (o.port !== undefined && !(Number.isInteger(o.port) && o.port > 0 && o.port < 65536)) {
    throw inputError('port must be an integer from 1 to 65535', 'port')
  }
  if (o.name !== undefined) assertClientName(o.name)
  if (o.auth !== undefined) assertCredentials(o.auth)
  const t = o.timeouts ?? {}
  if (t === null || typeof t !== 'object')
    throw inputError('timeouts must be an object', 'timeouts')
  assertKnownKeys(t, TIMEOUT_KEYS, 'timeouts')
  const proxy = o.proxy === undefined ? undefined : parseProxy(o.proxy)
  // RFC 1928 5: a name goes to a SOCKS proxy as at most 255 octets; CONNECT takes ASCII too.
  if (proxy !== undefined && !/^[\x21-\x7e]{1,255}$/.test(o.host)) {
    throw inputError(
      'host must be an ASCII host name (Punycode) or an IP address to go through a proxy',
      'host',
    )
  }
  const port = o.port ?? defaultPort(o.security)
  const security = o.security ?? (port === TLS_PORT ? 'implicit' : undefined)
  const command = timeout(t.command, 5 * MIN, 'timeouts.command')
  const greeting = port === TLS_PORT && security !== 'implicit' ? TLS_PORT_GREETING : GREETING
  return {
    host: o.host.replace(/^\[|\]$/g, ''),
    port,
    security,
    proxy,
    timeouts: {
      connect: timeout(t.connect, 30_000, 'timeouts.connect'),
      greeting: timeout(t.greeting, greeting, 'timeouts.greeting'),
      command,
      dataInit: timeout(t.dataInit, Math.min(2 * MIN, command), 'timeouts.dataInit'),
      data: timeout(t.data, 10 * MIN, 'timeouts.data'),
    },
  }
}

/**
 * The security of a connection once it is open: as given, else 'implicit' on port 465 (known
 * before connecting), else 'starttls-opportunistic' to a loopback address and 'starttls'
 * anywhere else.
 *
 * @example securityFor(resolveOptions({ host: 'localhost', port: 2525 }), true) // 'starttls-opportunistic'
 */
export function securityFor(resolved: ResolvedOptions, loopback: boolean): Security {
  return resolved.security ?? (loopback ? 'starttls-opportunistic' : 'starttls')
}
