import { SmtpError } from './errors.js'
import type { ResolvedOptions, SmtpConnectOptions } from './options.js'
import { defaultSockets } from './socket/auto.js'
import type { SmtpSocket, SocketAdapter } from './socket/types.js'

// OpenSSL's complaints when the peer answers a ClientHello in plaintext (e.g. "220 ...").
const PLAINTEXT_PEER =
  /wrong version number|packet length too long|unknown protocol|http request|record layer failure/i
const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/

/** Whether a TLS error rather than a TCP one. */
function isTlsError(e: unknown): boolean {
  const code = String((e as { code?: unknown })?.code ?? '')
  const message = String((e as Error)?.message ?? '')
  return (
    /^ERR_SSL|^ERR_TLS|CERT|SIGNATURE|SELF_SIGNED|ISSUER/.test(code) ||
    /SSL|TLS|certificate/i.test(message)
  )
}

/**
 * Opens the socket (TCP, or TLS for 'implicit') within the connect timeout, turning failures
 * into {@link SmtpError}s that name the step and, where the mistake is typical, the fix.
 */
export async function connectSocket(
  options: SmtpConnectOptions,
  resolved: ResolvedOptions,
): Promise<{ socket: SmtpSocket; adapter: SocketAdapter; servername: string | undefined }> {
  const { host, port, security, timeouts } = resolved
  const adapter = options.socket ?? (await defaultSockets())
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
    })
    return { socket, adapter, servername }
  } catch (e) {
    const where = `${host}:${port}`
    if (options.signal?.aborted) {
      throw new SmtpError(`Connecting to ${where} was aborted`, {
        stage: 'connect',
        transient: true,
        cause: e,
      })
    }
    if (controller.signal.aborted) {
      const hint = implicit
        ? ''
        : port === 465
          ? "; port 465 expects TLS from the first byte: use security: 'implicit'"
          : ''
      throw new SmtpError(`Timed out after ${timeouts.connect} ms connecting to ${where}${hint}`, {
        stage: 'connect',
        transient: true,
      })
    }
    const message = (e as Error)?.message ?? String(e)
    if (implicit && isTlsError(e)) {
      const hint = PLAINTEXT_PEER.test(message)
        ? `; the server answered in plaintext: use security: 'starttls'${port === 465 ? '' : ` (port ${port} usually speaks STARTTLS)`}`
        : ''
      throw new SmtpError(`TLS handshake with ${where} failed: ${message}${hint}`, {
        stage: 'tls',
        cause: e,
      })
    }
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
