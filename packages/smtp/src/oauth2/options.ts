import { inputError } from '../errors.js'
import { isLoopbackAddress } from '../loopback.js'

/** Options every provider takes besides its grant's own. */
export interface ProviderOptions {
  /**
   * The fetch to use for the token endpoint, e.g. one that goes through a corporate HTTP proxy
   * (undici's `ProxyAgent`). Default: the global `fetch`.
   */
  fetch?: typeof globalThis.fetch
  /** How long a token request may take, in ms. Default 30 s. */
  timeoutMs?: number
  /** The clock, in ms since the epoch. Default `Date.now`; tests pass their own. */
  now?: () => number
}

/** The checked common options. */
export interface ResolvedProviderOptions {
  fetch: typeof globalThis.fetch
  timeoutMs: number
  now: () => number
}

/** A required non-empty string option. */
export function requireString(value: unknown, field: string): string {
  if (typeof value !== 'string' || value === '')
    throw inputError(`${field} must be a non-empty string`, field)
  return value
}

/**
 * The token endpoint's URL: https, or http to a loopback address such as 127.0.0.1 (a test
 * server; a name like localhost proves nothing, DNS may answer anything); never with
 * credentials or a fragment in it.
 */
export function tokenEndpoint(value: unknown, field = 'tokenUrl'): URL {
  const text = requireString(value, field)
  let url: URL
  try {
    url = new URL(text)
  } catch {
    throw inputError(`${field} must be an absolute https:// URL`, field)
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopbackAddress(url.hostname))) {
    throw inputError(`${field} must be an https:// URL (http:// only to a loopback address)`, field)
  }
  if (url.username !== '' || url.password !== '' || url.hash !== '') {
    throw inputError(`${field} must not carry credentials or a fragment`, field)
  }
  return url
}

export function resolveProviderOptions(o: ProviderOptions): ResolvedProviderOptions {
  const fetch = o.fetch ?? globalThis.fetch
  if (typeof fetch !== 'function') throw inputError('fetch must be a function', 'fetch')
  const timeoutMs = o.timeoutMs ?? 30_000
  if (typeof timeoutMs !== 'number' || !(timeoutMs > 0) || timeoutMs > 2 ** 31 - 1) {
    throw inputError('timeoutMs must be a positive number of milliseconds', 'timeoutMs')
  }
  const now = o.now ?? Date.now
  if (typeof now !== 'function') throw inputError('now must be a function', 'now')
  return { fetch, timeoutMs, now }
}
