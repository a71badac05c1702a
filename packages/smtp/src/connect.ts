import { inputError, SmtpError } from './errors.js'
import type { ResolvedOptions, SmtpConnectOptions } from './options.js'
import { proxyLabel } from './proxy/endpoint.js'
import { defaultSockets } from './socket/auto.js'
import type { SmtpSocket, SocketAdapter } from './socket/types.js'
import { isTlsError, plaintextPeer, tlsError } from './tls-failure.js'

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/

/**
 * Opens the socket (TCP, or TLS for 'implicit') within the connect timeout, turning failures
 * into {@link SmtpError}s that name the step and, where the mistake is typical, the fix.
 */
export async function connectSocket(
  options: SmtpConnectOptions,
  resolved: ResolvedOptions,
): Promise<{ socket: SmtpSocket; adapter: SocketAdapter; servername: string | undefined }> {
  const { host, port, security, timeouts, proxy } = resolved
  const adapter = options.socket ?? (await defaultSockets())
  if (proxy !== undefined && adapter.proxies !== true) {
    // Going around the proxy would reach the server by a path the caller did not choose.
    throw inputError(
      `proxy cannot be used with this socket adapter: it opens no tunnels (Cloudflare Workers have no raw proxies); use Node, Bun or Deno (nodeSockets)`,
      'proxy',
    )
  }
  // RFC 6066 3: SNI carries host names only, never IP literals.
  const servername = IPV4.test(host) || host.includes(':') ? undefined : host
  const implicit = security === 'implicit'
  const controller = new AbortController()
  const timer = setTimeout(() => controller.abort(new Error('timeout')), timeouts.connect)
  const onAbort = () => controller.abort(options.signal?.reason)
  if (options.signal?.aborted) onAbort()
  options.signal?.addEventListener('abort', onAbort, { once: true })
  try {
    const socket = await adapter.connect({
      host,
      port,
      tls: implicit,
      servername,
      tlsOptions: options.tls,
      signal: controller.signal,
      proxy,
    })
    return { socket, adapter, servername }
  } catch (e) {
    const via = proxy === undefined ? '' : ` through the ${proxyLabel(proxy)}`
    const where = `${host}:${port}${via}`
    if (options.signal?.aborted) {
      throw new SmtpError(`Connecting to ${where} was aborted`, {
        stage: 'connect',
        transient: true,
        cause: e,
      })
    }
    // A proxy's own failures name it and the step already.
    if (e instanceof SmtpError) throw e
    if (controller.signal.aborted) {
      const tlsPort = !implicit && port === 465
      const hint = tlsPort
        ? "; port 465 expects TLS from the first byte: use security: 'implicit'"
        : ''
      throw new SmtpError(`Timed out after ${timeouts.connect} ms connecting to ${where}${hint}`, {
        stage: 'connect',
        transient: true,
        hint: tlsPort ? 'use-implicit-tls' : undefined,
      })
    }
    if (implicit && isTlsError(e)) {
      if (plaintextPeer(e)) {
        const usual = port === 465 ? '' : ` (port ${port} usually speaks STARTTLS)`
        const message = (e as Error)?.message ?? String(e)
        throw new SmtpError(
          `TLS handshake with ${where} failed: ${message}; the server answered in plaintext: use security: 'starttls'${usual}`,
          { stage: 'tls', cause: e, hint: 'use-starttls' },
        )
      }
      throw tlsError(`TLS handshake with ${where} failed`, e)
    }
    const message = (e as Error)?.message ?? String(e)
    throw new SmtpError(`Could not connect to ${where}: ${message}`, {
      stage: 'connect',
      transient: true,
      cause: e,
    })
  } finally {
    clearTimeout(timer)
    options.signal?.removeEventListener('abort', onAbort)
  }
}
