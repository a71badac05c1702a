import type { ConnectionOptions } from 'node:tls'
import type { ProxyEndpoint } from '../proxy/endpoint.js'

export type { ProxyEndpoint } from '../proxy/endpoint.js'

/** TLS options passed through to the runtime (Node's `tls.connect` options; Workers ignore most). */
export type TlsOptions = ConnectionOptions

/** Where and how to open a connection. */
export interface SocketConnectOptions {
  host: string
  port: number
  /** TLS from the first byte (implicit TLS, port 465). */
  tls: boolean
  /** Name to verify the certificate against and send as SNI; undefined for IP addresses. */
  servername?: string | undefined
  tlsOptions?: TlsOptions | undefined
  signal?: AbortSignal | undefined
  /**
   * Open the connection through this proxy, then TLS (for `tls`) inside the tunnel. Given only
   * to adapters whose `proxies` is true.
   */
  proxy?: ProxyEndpoint | undefined
}

/** What the socket reports back. */
export interface SocketHandlers {
  data(chunk: Uint8Array): void
  /** The socket closed, with the error that closed it, if any. */
  close(error?: Error): void
}

/**
 * An open byte stream to the server: the whole I/O surface the SMTP client needs.
 *
 * @example
 * const socket = await nodeSockets.connect({ host: 'mx.example.org', port: 587, tls: false })
 * socket.setHandlers({ data: (b) => parse(b), close: () => {} })
 * socket.write([new TextEncoder().encode('EHLO me\r\n')])
 */
export interface SmtpSocket {
  /** The local address, used for a default EHLO name. */
  readonly localAddress?: string | undefined
  /**
   * The address actually connected to, as the runtime reports it (e.g. '127.0.0.1', '::1').
   * Only a loopback address here makes the default security 'starttls-opportunistic' and lets
   * credentials go without TLS; undefined (a runtime that does not tell) never counts as loopback.
   */
  readonly remoteAddress?: string | undefined
  setHandlers(handlers: SocketHandlers): void
  /** Writes the chunks in order as one write; false asks the caller to await {@link drained}. */
  write(chunks: readonly Uint8Array[]): boolean
  /**
   * Optional: writes text as UTF-8 in one write, like {@link write}. Where the runtime encodes
   * strings natively (Node's `socket.write(string)`) this saves building bytes in JavaScript;
   * without it text is encoded with TextEncoder and goes through {@link write}.
   */
  writeText?(text: string): boolean
  /** Resolves when the write buffer has room again. */
  drained(): Promise<void>
  /** Upgrades the connection to TLS in place (STARTTLS); data handlers carry over. */
  startTls(options: {
    servername?: string | undefined
    tlsOptions?: TlsOptions | undefined
  }): Promise<void>
  /** Ends the connection: `graceful` sends what is queued first, else it is destroyed at once. */
  close(graceful: boolean): void
}

/**
 * The socket seam: how `@mail/smtp` opens connections. Chosen automatically (Node `net`/`tls`,
 * also used by Bun and Deno; `cloudflare:sockets` on Workers), or passed as `socket`.
 *
 * @example
 * import { cloudflareSockets } from '@mail/smtp/cloudflare'
 * await SmtpClient.connect({ host, port: 587, socket: cloudflareSockets })
 */
export interface SocketAdapter {
  connect(options: SocketConnectOptions): Promise<SmtpSocket>
  /** A default EHLO name for this machine, if the runtime knows one. */
  localName?(socket: SmtpSocket): string | undefined
  /**
   * True when `connect` honours `proxy`. Without it a `proxy` option is refused, never bypassed.
   * Its sockets' `remoteAddress` is then undefined: the connected peer is the proxy, not the server.
   */
  readonly proxies?: boolean
}
