// The only file that uses node:net and node:tls (Node, Bun and Deno through their Node APIs).
// They are imported lazily, and with .catch() so bundlers for other runtimes leave them out
// instead of failing or hoisting them into a Worker's top level.
import type { Socket } from 'node:net'
import type { ConnectionOptions, TLSSocket } from 'node:tls'
import { SmtpError } from '../errors.js'
import { type ProxyEndpoint, proxyLabel } from '../proxy/endpoint.js'
import type {
  SmtpSocket,
  SocketAdapter,
  SocketConnectOptions,
  SocketHandlers,
  TlsOptions,
} from './types.js'

interface NodeModules {
  net: typeof import('node:net')
  tls: typeof import('node:tls')
  os: typeof import('node:os')
}
let modules: NodeModules | undefined
const rethrow = (e: unknown): never => {
  throw e
}

async function load(): Promise<NodeModules> {
  if (modules === undefined) {
    const [net, tls, os] = await Promise.all([
      import('node:net').catch(rethrow),
      import('node:tls').catch(rethrow),
      import('node:os').catch(rethrow),
    ])
    modules = { net, tls, os }
  }
  return modules
}

// Several small chunks (commands, pipelined small messages) are joined into one buffer, up to
// SMALL in all: one copy beats a writev of many. Chunks of JOIN_AVERAGE or more on average (a
// BDAT chunk of a large message: its command line and 78 KiB pieces) go as one writev instead,
// since copying them costs more than the writev saves.
const SMALL = 512 * 1024
const JOIN_AVERAGE = 16 * 1024
const noHandlers: SocketHandlers = { data: () => {}, close: () => {} }

class NodeSmtpSocket implements SmtpSocket {
  private handlers = noHandlers
  private error: Error | undefined
  // Bytes (and a close) that arrive before setHandlers are kept, not lost: a fast server's
  // greeting can come in before the client has wired itself up.
  private early: Uint8Array[] | undefined = []
  private closedEarly = false
  private readonly onData = (chunk: Buffer) => {
    if (this.early === undefined) this.handlers.data(chunk)
    else this.early.push(chunk)
  }
  private readonly onError = (e: Error) => {
    this.error ??= e
  }
  private readonly onClose = () => {
    clearTimeout(this.linger)
    if (this.early === undefined) this.handlers.close(this.error)
    else this.closedEarly = true
  }
  private linger: ReturnType<typeof setTimeout> | undefined

  /**
   * `tunnel`: the socket goes through a proxy; `head` holds what the server sent with the proxy's
   * answer. The connected peer is then the proxy, so no remote address is reported.
   */
  constructor(
    private socket: Socket,
    private readonly host: string,
    private readonly tunnel?: { head: Uint8Array },
  ) {
    if (tunnel !== undefined && tunnel.head.length > 0) this.early?.push(tunnel.head)
    this.attach(socket)
  }

  get localAddress(): string | undefined {
    return this.socket.localAddress
  }

  get remoteAddress(): string | undefined {
    return this.tunnel === undefined ? this.socket.remoteAddress : undefined
  }

  private attach(socket: Socket): void {
    socket.on('data', this.onData)
    socket.on('error', this.onError)
    socket.on('close', this.onClose)
  }

  private detach(socket: Socket): void {
    socket.off('data', this.onData)
    socket.off('error', this.onError)
    socket.off('close', this.onClose)
  }

  setHandlers(handlers: SocketHandlers): void {
    this.handlers = handlers
    const early = this.early ?? []
    this.early = undefined
    for (const chunk of early) handlers.data(chunk)
    if (this.closedEarly) handlers.close(this.error)
  }

  write(chunks: readonly Uint8Array[]): boolean {
    const s = this.socket
    if (chunks.length === 1) return s.write(chunks[0]!)
    let size = 0
    for (const c of chunks) size += c.length
    if (size <= SMALL && size < chunks.length * JOIN_AVERAGE) {
      return s.write(Buffer.concat(chunks, size))
    }
    // cork/uncork turns several chunks into one writev: one packet where they fit.
    s.cork()
    for (const c of chunks) s.write(c)
    s.uncork()
    return !s.writableNeedDrain
  }

  writeText(text: string): boolean {
    return this.socket.write(text, 'utf8')
  }

  drained(): Promise<void> {
    const s = this.socket
    if (!s.writableNeedDrain || s.destroyed) return Promise.resolve()
    return new Promise((resolve) => {
      const done = () => {
        s.off('drain', done)
        s.off('close', done)
        resolve()
      }
      s.on('drain', done)
      s.on('close', done)
    })
  }

  startTls(options: { servername?: string | undefined; tlsOptions?: TlsOptions | undefined }) {
    const raw = this.socket
    this.detach(raw)
    return new Promise<void>((resolve, reject) => {
      const secure = modules!.tls.connect(tlsSettings({ socket: raw, host: this.host }, options))
      const fail = (e: Error) => {
        secure.destroy()
        raw.destroy()
        reject(e)
      }
      secure.once('error', fail)
      secure.once('secureConnect', () => {
        secure.off('error', fail)
        this.socket = secure
        this.attach(secure)
        resolve()
      })
    })
  }

  close(graceful: boolean): void {
    if (graceful && !this.socket.destroyed) {
      this.socket.end()
      // The server should close after QUIT; do not wait for it forever.
      this.linger = setTimeout(() => this.socket.destroy(), 2000)
      this.linger.unref?.()
    } else this.socket.destroy()
  }
}

function tlsSettings(
  base: ConnectionOptions,
  options: { servername?: string | undefined; tlsOptions?: TlsOptions | undefined },
): ConnectionOptions {
  const settings: ConnectionOptions = { ...options.tlsOptions, ...base }
  // Certificates are verified against the host name; an IP address is checked as an IP SAN.
  const servername = options.tlsOptions?.servername ?? options.servername
  if (servername !== undefined) settings.servername = servername
  return settings
}

/**
 * Sockets over Node's `net` and `tls` modules: Node 20+, Bun and Deno.
 *
 * @example
 * await SmtpClient.connect({ host: 'smtp.example.com', socket: nodeSockets })
 */
export const nodeSockets: SocketAdapter = {
  proxies: true,
  async connect(o: SocketConnectOptions): Promise<SmtpSocket> {
    const { net, tls } = await load()
    if (o.proxy !== undefined) return connectThrough(o, o.proxy, { net, tls })
    const socket: Socket | TLSSocket = o.tls
      ? tls.connect(tlsSettings({ host: o.host, port: o.port }, o))
      : net.connect({ host: o.host, port: o.port })
    await established(socket, o.tls ? 'secureConnect' : 'connect', o.signal)
    socket.setNoDelay(true)
    return new NodeSmtpSocket(socket, o.host)
  },
  localName(socket: SmtpSocket): string | undefined {
    if (modules === undefined) return undefined
    const name = modules.os.hostname()
    // RFC 5321 4.1.1.1: a fully qualified domain name, else an address literal.
    if (name.includes('.') && /^[a-z0-9.-]+$/i.test(name)) return name
    const address = socket.localAddress
    if (address === undefined) return undefined
    if (modules.net.isIP(address) === 6) {
      const v4 = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)
      return v4 === null ? `[IPv6:${address}]` : `[${v4[1]}]`
    }
    return `[${address}]`
  },
}

/**
 * The tunnel through the proxy first; then, for implicit TLS, the handshake with the SMTP server
 * inside it, its certificate checked against the SMTP host's name (never the proxy's).
 */
async function connectThrough(
  o: SocketConnectOptions,
  proxy: ProxyEndpoint,
  { net, tls }: Pick<NodeModules, 'net' | 'tls'>,
): Promise<SmtpSocket> {
  const { openTunnel } = await import('./tunnel.js')
  const { socket, head } = await openTunnel(net, proxy, { host: o.host, port: o.port }, o.signal)
  if (!o.tls) {
    const tunneled = new NodeSmtpSocket(socket, o.host, { head })
    socket.resume()
    return tunneled
  }
  if (head.length > 0) {
    // A greeting before any ClientHello: the server speaks plaintext first.
    socket.destroy()
    throw new SmtpError(
      `TLS handshake with ${o.host}:${o.port} through the ${proxyLabel(proxy)} failed: the server answered in plaintext: use security: 'starttls'`,
      { stage: 'tls', hint: 'use-starttls' },
    )
  }
  const secure = tls.connect(tlsSettings({ socket, host: o.host }, o))
  await established(secure, 'secureConnect', o.signal, socket)
  return new NodeSmtpSocket(secure, o.host, { head })
}

/**
 * Resolves once `socket` is connected (`ready`); an error or an abort first destroys it (and
 * `under`, the tunnel a TLS socket runs in) and rejects.
 */
function established(
  socket: Socket,
  ready: 'connect' | 'secureConnect',
  signal: AbortSignal | undefined,
  under?: Socket,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const fail = (e: unknown) => {
      socket.destroy()
      under?.destroy()
      signal?.removeEventListener('abort', abort)
      reject(e)
    }
    const abort = () => fail(signal?.reason ?? new Error('Aborted'))
    if (signal?.aborted) return abort()
    signal?.addEventListener('abort', abort, { once: true })
    socket.once('error', fail)
    socket.once(ready, () => {
      socket.off('error', fail)
      signal?.removeEventListener('abort', abort)
      resolve()
    })
  })
}
