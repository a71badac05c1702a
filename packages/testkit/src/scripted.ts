import { createServer, type Server, type Socket } from 'node:net'
import { createServer as createTlsServer, TLSSocket } from 'node:tls'
import { makeCertificates } from './certs.js'

/**
 * The server side of one connection, driven step by step by a test script.
 *
 * @example
 * await startScriptedServer(async (c) => {
 *   c.write('220 hi\r\n')
 *   expect(await c.readLine()).toMatch(/^EHLO /)
 *   c.write('250 ok\r\n')
 * })
 */
export interface ScriptedConnection {
  /** Sends bytes (a string is sent as UTF-8). */
  write(data: string | Uint8Array): void
  /**
   * Resolves once the socket has taken everything written so far, or the connection closed: a
   * script that floods the client awaits it after each write, so it sends only as fast as the
   * client reads.
   */
  drained(): Promise<void>
  /**
   * Next CRLF-terminated line decoded as UTF-8 (use `received` for exact bytes), without the
   * CRLF; rejects when the peer closes first.
   */
  readLine(): Promise<string>
  /**
   * Bytes up to and including the first `marker` (UTF-8, e.g. '\r\n.\r\n'); rejects when the
   * peer closes first.
   */
  readUntil(marker: string): Promise<Buffer>
  /** Exactly the next `count` bytes (binary protocols such as SOCKS); rejects when the peer closes first. */
  read(count: number): Promise<Buffer>
  /** Every byte that arrived so far (plaintext and decrypted TLS), consumed or not. */
  readonly received: Buffer
  /** Half-closes after pending writes (FIN). */
  end(): void
  /** Closes at once (RST-like, no FIN handshake wait). */
  destroy(): void
  /**
   * Upgrades the connection to TLS as server with the kit's certificate; resolves after the
   * handshake. Unconsumed plaintext received before is discarded (RFC 3207 4.2).
   */
  startTls(): Promise<void>
}

/** Options of {@link startScriptedServer}. */
export interface ScriptedServerOptions {
  /** Implicit TLS: the handshake happens before the script runs. */
  tls?: boolean
  /**
   * The address to listen on. Default 127.0.0.1; another address only inside a private network
   * namespace (a test's own `unshare --net`), never a real interface.
   */
  host?: string
  /** The port to listen on. Default 0 (any free port); a fixed one only in a private namespace. */
  port?: number
}

/** A running scripted server (on 127.0.0.1 unless told otherwise). */
export interface ScriptedServer {
  port: number
  /** PEM CA that signed the server certificate (CN=localhost, SAN localhost/127.0.0.1/::1). */
  ca: string
  /**
   * Resolves when the script of the first connection finished; rejects with its error (await it
   * so that assertions inside the script count). A failing script also destroys its connection.
   */
  done(): Promise<void>
  /** Closes the listener and destroys every connection. Idempotent. */
  stop(): Promise<void>
}

class Connection implements ScriptedConnection {
  #socket: Socket
  #chunks: Buffer[] = []
  #buffer = Buffer.alloc(0)
  #closed = false
  #wake: (() => void) | undefined
  readonly #key: string
  readonly #cert: string

  constructor(socket: Socket, key: string, cert: string) {
    this.#socket = socket
    this.#key = key
    this.#cert = cert
    this.#attach(socket)
  }

  get received(): Buffer {
    return Buffer.concat(this.#chunks)
  }

  #attach(socket: Socket): void {
    socket.on('data', this.#onData)
    socket.on('error', () => {
      // a reset by the client is a normal event here: readers see it as close
    })
    socket.on('close', this.#onClose)
  }

  #onData = (chunk: Buffer): void => {
    this.#chunks.push(chunk)
    this.#buffer = Buffer.concat([this.#buffer, chunk])
    this.#notify()
  }

  #onClose = (): void => {
    this.#closed = true
    this.#notify()
  }

  #notify(): void {
    const wake = this.#wake
    this.#wake = undefined
    wake?.()
  }

  async #take(marker: Buffer | number, keepMarker: boolean): Promise<Buffer> {
    for (;;) {
      if (typeof marker === 'number' && this.#buffer.length >= marker) {
        const out = Buffer.from(this.#buffer.subarray(0, marker))
        this.#buffer = this.#buffer.subarray(marker)
        return out
      }
      const at = typeof marker === 'number' ? -1 : this.#buffer.indexOf(marker)
      if (typeof marker !== 'number' && at >= 0) {
        const out = this.#buffer.subarray(0, keepMarker ? at + marker.length : at)
        this.#buffer = this.#buffer.subarray(at + marker.length)
        return Buffer.from(out)
      }
      if (this.#closed) {
        const what =
          typeof marker === 'number' ? `${marker} bytes` : JSON.stringify(marker.toString('latin1'))
        throw new Error(`scripted server: connection closed while waiting for ${what}`)
      }
      await new Promise<void>((resolve) => {
        this.#wake = resolve
      })
    }
  }

  write(data: string | Uint8Array): void {
    this.#socket.write(data)
  }

  drained(): Promise<void> {
    const socket = this.#socket
    if (this.#closed || !socket.writableNeedDrain) return Promise.resolve()
    return new Promise((resolve) => {
      const done = () => {
        socket.off('drain', done)
        socket.off('close', done)
        resolve()
      }
      socket.on('drain', done)
      socket.on('close', done)
    })
  }

  async readLine(): Promise<string> {
    return (await this.#take(Buffer.from('\r\n'), false)).toString('utf8')
  }

  readUntil(marker: string): Promise<Buffer> {
    return this.#take(Buffer.from(marker, 'utf8'), true)
  }

  read(count: number): Promise<Buffer> {
    return this.#take(count, false)
  }

  end(): void {
    this.#socket.end()
  }

  destroy(): void {
    this.#socket.destroy()
  }

  startTls(): Promise<void> {
    const plain = this.#socket
    plain.off('data', this.#onData)
    plain.off('close', this.#onClose)
    this.#buffer = Buffer.alloc(0)
    const secure = new TLSSocket(plain, { isServer: true, key: this.#key, cert: this.#cert })
    this.#socket = secure
    this.#attach(secure)
    return new Promise((resolve, reject) => {
      secure.once('secure', () => resolve())
      secure.once('error', reject)
      secure.once('close', () => reject(new Error('scripted server: closed during TLS handshake')))
    })
  }
}

/**
 * Starts a raw TCP (or implicit TLS) server on 127.0.0.1 running `script` for each connection:
 * for faults a real server cannot produce (bad replies, hangs, resets, injected lines).
 */
export async function startScriptedServer(
  script: (conn: ScriptedConnection) => Promise<void> | void,
  opts: ScriptedServerOptions = {},
): Promise<ScriptedServer> {
  const { ca, key, cert } = await makeCertificates()
  const sockets = new Set<Socket>()
  let resolveFirst!: (result: Promise<void>) => void
  const first = new Promise<Promise<void>>((resolve) => {
    resolveFirst = resolve
  })
  let count = 0
  const onConnection = (socket: Socket): void => {
    sockets.add(socket)
    // Replies go out at once: with Nagle's algorithm a pipelining client would wait ~40 ms each.
    socket.setNoDelay(true)
    socket.on('close', () => sockets.delete(socket))
    const conn = new Connection(socket, key, cert)
    const run = (async () => script(conn))()
    run.catch(() => {
      // A failed script (e.g. an expect) drops the connection so the client under test fails
      // fast; the error itself is reported through done() for the first connection.
      conn.destroy()
    })
    if (count++ === 0) resolveFirst(run)
  }
  const server: Server = opts.tls
    ? createTlsServer({ key, cert }, onConnection).on('tlsClientError', () => {})
    : createServer(onConnection)
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve())
  })
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('no TCP address')
  let stopped: Promise<void> | undefined
  return {
    port: address.port,
    ca,
    done: async () => {
      await await first
    },
    stop: () => {
      stopped ??= new Promise<void>((resolve) => {
        server.close(() => resolve())
        for (const s of sockets) s.destroy()
      })
      return stopped
    },
  }
}
