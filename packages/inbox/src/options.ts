import { InboxError } from './errors.js'
import type { InboxLimits, ResolvedLimits } from './types.js'

/** RFC 1870 allows any size; most providers take 25 MB or a little more. */
export const DEFAULT_MAX_MESSAGE_SIZE = 25 * 1024 * 1024
export const DEFAULT_MAX_CONNECTIONS = 100
export const DEFAULT_SMTP_PORT = 2525
export const DEFAULT_HTTP_PORT = 8025
export const DEFAULT_HOST = '127.0.0.1'

function positiveInteger(value: unknown, field: string, fallback: number): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw new InboxError(field, `${field} must be a whole number of at least 1`)
  }
  return value
}

/**
 * Refuses a key of `value` outside `known`: an option the inbox does not know is an InboxError
 * naming it (`prefix + key`), never ignored (`smtpPort: 0` would otherwise listen on 2525).
 */
export function checkKeys(
  value: object,
  known: readonly string[],
  prefix: string,
  what = 'option',
): void {
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) {
      throw new InboxError(
        `${prefix}${key}`,
        `unknown ${what} ${JSON.stringify(`${prefix}${key}`)}: use ${known.map((k) => prefix + k).join(', ')}`,
      )
    }
  }
}

/** The limits with their defaults, each checked. */
export function resolveLimits(limits: InboxLimits = {}): ResolvedLimits {
  checkKeys(limits, ['maxMessageSize', 'maxConnections'], 'limits.', 'limit')
  return {
    maxMessageSize: positiveInteger(
      limits.maxMessageSize,
      'limits.maxMessageSize',
      DEFAULT_MAX_MESSAGE_SIZE,
    ),
    maxConnections: positiveInteger(
      limits.maxConnections,
      'limits.maxConnections',
      DEFAULT_MAX_CONNECTIONS,
    ),
  }
}

/** A listening address with its defaults; port 0 means any free port. */
export function resolveEndpoint(
  side: 'smtp' | 'http',
  value: { host?: string; port?: number } | undefined,
  defaultPort: number,
): { host: string; port: number } {
  if (typeof value === 'object' && value !== null) checkKeys(value, ['host', 'port'], `${side}.`)
  const host = value?.host ?? DEFAULT_HOST
  const port = value?.port ?? defaultPort
  if (typeof host !== 'string' || host === '') {
    throw new InboxError(`${side}.host`, `${side}.host must be a host name or address`)
  }
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new InboxError(`${side}.port`, `${side}.port must be a whole number from 0 to 65535`)
  }
  return { host, port }
}

/** `smtp://127.0.0.1:2525`, brackets around an IPv6 address. */
export function urlOf(scheme: 'smtp' | 'http', host: string, port: number): string {
  return `${scheme}://${host.includes(':') ? `[${host}]` : host}:${port}`
}
