import { connect, type Socket } from 'node:net'
import { connect as tlsConnect } from 'node:tls'

/**
 * A minimal line-based SMTP client over a raw socket: for tests that must say what a
 * well-behaved client never would (declare a size and send more, sit idle, pipeline by hand).
 *
 * @example
 * const c = await RawClient.open(port)
 * await c.reply()                        // '220 ...\r\n'
 * await c.command('EHLO client.example') // the whole multi-line reply
 */
export class RawClient {
  #socket: Socket
  #buffer = ''
  #wake: (() => void) | undefined

  private constructor(socket: Socket) {
    this.#socket = socket
    this.#listen()
  }

  static async open(port: number, tls?: { ca: string }): Promise<RawClient> {
    const socket = tls
      ? tlsConnect({ host: '127.0.0.1', port, ca: tls.ca, servername: 'localhost' })
      : connect({ host: '127.0.0.1', port })
    await new Promise<void>((resolve, reject) => {
      socket.once(tls ? 'secureConnect' : 'connect', () => resolve())
      socket.once('error', reject)
    })
    return new RawClient(socket)
  }

  #listen(): void {
    this.#socket.setEncoding('latin1')
    this.#socket.on('data', (s: string) => {
      this.#buffer += s
      this.#wake?.()
    })
  }

  /** Reads one complete (possibly multi-line) reply. */
  async reply(): Promise<string> {
    for (;;) {
      const match = /^(?:\d{3}-[^\r\n]*\r\n)*\d{3}(?: [^\r\n]*)?\r\n/.exec(this.#buffer)
      if (match) {
        this.#buffer = this.#buffer.slice(match[0].length)
        return match[0]
      }
      await new Promise<void>((resolve) => {
        this.#wake = resolve
      })
    }
  }

  async command(line: string): Promise<string> {
    this.#socket.write(`${line}\r\n`)
    return this.reply()
  }

  write(data: string | Uint8Array): void {
    this.#socket.write(data)
  }

  async startTls(ca: string): Promise<void> {
    this.#socket.removeAllListeners('data')
    const secure = tlsConnect({ socket: this.#socket, ca, servername: 'localhost' })
    await new Promise<void>((resolve, reject) => {
      secure.once('secureConnect', () => resolve())
      secure.once('error', reject)
    })
    this.#socket = secure
    this.#listen()
  }

  /** Resolves once the connection is closed (by the server, or by {@link close}). */
  closed(): Promise<void> {
    if (this.#socket.closed) return Promise.resolve()
    return new Promise((resolve) => this.#socket.once('close', () => resolve()))
  }

  close(): void {
    this.#socket.destroy()
  }
}
