import type { Credentials } from './auth/index.js'
import { inputError } from './errors.js'
import { assertClientName } from './protocol/commands.js'
import type { Security } from './protocol/types.js'
import type { SocketAdapter, TlsOptions } from './socket/types.js'

/** Timeouts in milliseconds; defaults follow RFC 5321 4.5.3.2. */
export interface SmtpTimeouts {
  /** Opening the TCP (and implicit TLS) connection. Default 30 s. */
  connect?: number
  /** The 220 greeting. Default 5 min. */
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
 * How to reach and talk to the server.
 *
 * @example
 * { host: 'smtp.example.com', port: 587, auth: { user: 'me', pass: 'secret' } }
 */
export interface SmtpConnectOptions {
  host: string
  /** Default 587, or 465 with security 'implicit'. */
  port?: number
  /** Default: 'implicit' on port 465; 'starttls-opportunistic' for a loopback host; else 'starttls'. */
  security?: Security
  /** Passed to the TLS layer, e.g. `{ ca }` or `{ rejectUnauthorized: false }`. */
  tls?: TlsOptions
  auth?: Credentials
  /** The EHLO name. Default: this machine's FQDN, else its address literal. */
  name?: string
  /** Speak LMTP (RFC 2033): LHLO, one reply per recipient after the content. */
  lmtp?: boolean
  timeouts?: SmtpTimeouts
  /** Permit AUTH over plaintext to a non-loopback host. Default false. */
  allowInsecureAuth?: boolean
  /** Use DATA even when the server offers CHUNKING. */
  preferData?: boolean
  /** Transcript hook, AUTH secrets redacted. */
  onLog?: (entry: SmtpLogEntry) => void
  /** The socket seam; chosen for the runtime when absent. */
  socket?: SocketAdapter
  /** Aborts connecting (and the handshake). */
  signal?: AbortSignal
}

export interface ResolvedOptions {
  host: string
  port: number
  security: Security
  loopback: boolean
  timeouts: Required<SmtpTimeouts>
}

const MIN = 60_000

/** Whether a host name or address is loopback (RFC 6761 6.3, RFC 5735, RFC 4291). */
export function isLoopback(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '')
  return (
    h === 'localhost' || h.endsWith('.localhost') || /^127\.\d+\.\d+\.\d+$/.test(h) || h === '::1'
  )
}

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
    throw inputError(`timeouts.${field} must be a positive number of milliseconds`)
  }
  return value
}

/** Validates connect options and fills the defaults. */
export function resolveOptions(o: SmtpConnectOptions): ResolvedOptions {
  if (o === null || typeof o !== 'object') throw inputError('options are required')
  if (typeof o.host !== 'string' || o.host === '' || /[\s\0]/.test(o.host)) {
    throw inputError('host must be a host name or address')
  }
  if (o.security !== undefined && !SECURITY.has(o.security)) {
    throw inputError(`security must be one of ${[...SECURITY].join(', ')}`)
  }
  if (o.port !== undefined && !(Number.isInteger(o.port) && o.port > 0 && o.port < 65536)) {
    throw inputError('port must be an integer from 1 to 65535')
  }
  if (o.name !== undefined) assertClientName(o.name)
  if (o.auth !== undefined) {
    const a = o.auth as { user?: unknown; pass?: unknown; accessToken?: unknown }
    const secret = 'accessToken' in a ? a.accessToken : a.pass
    if (typeof a.user !== 'string' || typeof secret !== 'string') {
      throw inputError('auth must be { user, pass } or { user, accessToken } with strings')
    }
  }
  const loopback = isLoopback(o.host)
  const port = o.port ?? defaultPort(o.security)
  const security =
    o.security ?? (port === 465 ? 'implicit' : loopback ? 'starttls-opportunistic' : 'starttls')
  const t = o.timeouts ?? {}
  const command = timeout(t.command, 5 * MIN, 'command')
  return {
    host: o.host.replace(/^\[|\]$/g, ''),
    port,
    security,
    loopback,
    timeouts: {
      connect: timeout(t.connect, 30_000, 'connect'),
      greeting: timeout(t.greeting, 5 * MIN, 'greeting'),
      command,
      dataInit: timeout(t.dataInit, Math.min(2 * MIN, command), 'dataInit'),
      data: timeout(t.data, 10 * MIN, 'data'),
    },
  }
}
