import type { SocketAdapter } from './types.js'

/**
 * The adapter for the running runtime: `cloudflare:sockets` on Workers, else Node's `net`/`tls`
 * (Node, Bun, Deno). Imported lazily so neither runtime loads the other's module; in a build
 * for Workers or browsers, `#node-sockets` is a stand-in without Node built-ins (package.json).
 */
export async function defaultSockets(): Promise<SocketAdapter> {
  const nav = (globalThis as { navigator?: { userAgent?: string } }).navigator
  if (nav?.userAgent === 'Cloudflare-Workers') {
    return (await import('./cloudflare.js')).cloudflareSockets
  }
  return (await import('#node-sockets')).nodeSockets
}
