// Cloudflare Workers sockets (https://developers.cloudflare.com/workers/runtime-apis/tcp-sockets/).
import type { SmtpSocket, SocketAdapter, SocketConnectOptions, SocketHandlers } from './types.js'

interface CfSocket {
  readable: ReadableStream<Uint8Array>
  writable: WritableStream<Uint8Array>
  closed: Promise<void>
  opened?: Promise<unknown>
  close(): Promise<void>
  startTls(options?: { expectedServerHostname?: string }): CfSocket
}
type CfConnect = (
  address: { hostname: string; port: number },
  options: { secureTransport: 'off' | 'on' | 'starttls'; allowHalfOpen: boolean },
) => CfSocket

const noHandlers: SocketHandlers = { data: () => {}, close: () => {} }

class CloudflareSmtpSocket implements SmtpSocket {
  readonly localAddress = undefined
  // Workers do not tell which address a connection reached: never treated as loopback.
  readonly remoteAddress = undefined
  private handlers = noHandlers
  private reader!: ReadableStreamDefaultReader<Uint8Array>
  private writer!: WritableStreamDefaultWriter<Uint8Array>
  private generation = 0
  private ended = false
  private started = false

  constructor(private socket: CfSocket) {}

  private attach(): void {
    this.reader = this.socket.readable.getReader()
    this.writer = this.socket.writable.getWriter()
    const generation = ++this.generation
    void this.pump(generation)
  }

  private async pump(generation: number): Promise<void> {
    let error: Error | undefined
    try {
      for (;;) {
        const { done, value } = await this.reader.read()
        if (generation !== this.generation) return
        if (done) break
        if (value !== undefined && value.length > 0) this.handlers.data(value)
      }
    } catch (e) {
      if (generation !== this.generation) return
      error = e instanceof Error ? e : new Error(String(e))
    }
    this.finish(error)
  }

  private finish(error?: Error): void {
    if (this.ended) return
    this.ended = true
    this.handlers.close(error)
  }

  /** Reading starts here, so nothing the server sends first can be missed. */
  setHandlers(handlers: SocketHandlers): void {
    this.handlers = handlers
    if (!this.started) {
      this.started = true
      this.attach()
    }
  }

  write(chunks: readonly Uint8Array[]): boolean {
    let data: Uint8Array
    if (chunks.length === 1) data = chunks[0]!
    else {
      // One write per call keeps commands of a pipelined group in one packet.
      data = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0))
      let o = 0
      for (const c of chunks) {
        data.set(c, o)
        o += c.length
      }
    }
    this.writer.write(data).catch((e: unknown) => this.finish(e as Error))
    return (this.writer.desiredSize ?? 0) > 0
  }

  drained(): Promise<void> {
    return this.writer.ready.catch(() => {})
  }

  async startTls(options: { servername?: string | undefined }): Promise<void> {
    // The old streams must be released before the upgrade; their pending read is abandoned.
    this.generation++
    this.reader.releaseLock()
    this.writer.releaseLock()
    this.socket =
      options.servername === undefined
        ? this.socket.startTls()
        : this.socket.startTls({ expectedServerHostname: options.servername })
    this.attach()
    await this.socket.opened
  }

  close(graceful: boolean): void {
    const socket = this.socket
    if (graceful) {
      this.writer.close().catch(() => {})
      void socket.closed.catch(() => {}).finally(() => this.finish())
      setTimeout(() => void socket.close().catch(() => {}), 2000)
    } else {
      void socket.close().catch(() => {})
      this.finish()
    }
  }
}

/**
 * Sockets over `connect()` from `cloudflare:sockets` (Workers). Connections are opened with
 * `secureTransport: 'starttls'` so STARTTLS can upgrade them, or 'on' for implicit TLS.
 * Workers verify certificates themselves; `tls` options other than `servername` do not apply.
 *
 * @example
 * import { cloudflareSockets } from '@mail/smtp/cloudflare'
 * await SmtpClient.connect({ host: 'smtp.example.com', port: 587, socket: cloudflareSockets })
 */
export const cloudflareSockets: SocketAdapter = {
  async connect(o: SocketConnectOptions): Promise<SmtpSocket> {
    // A literal specifier (Workers tooling needs one) with .catch() so other bundlers let it be.
    const { connect } = (await import('cloudflare:sockets').catch((e: unknown) => {
      throw e
    })) as { connect: CfConnect }
    o.signal?.throwIfAborted()
    const socket = connect(
      { hostname: o.host, port: o.port },
      { secureTransport: o.tls ? 'on' : 'starttls', allowHalfOpen: false },
    )
    const abort = () => void socket.close().catch(() => {})
    o.signal?.addEventListener('abort', abort, { once: true })
    try {
      await socket.opened
    } finally {
      o.signal?.removeEventListener('abort', abort)
    }
    o.signal?.throwIfAborted()
    return new CloudflareSmtpSocket(socket)
  },
}
