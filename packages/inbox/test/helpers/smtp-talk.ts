import { once } from 'node:events'
import { connect, type Socket } from 'node:net'

/**
 * A bare SMTP conversation over a socket, for what a well-behaved client never does (send more
 * than it declared, sit idle): `reply()` reads one whole reply, however many lines it has.
 */
export async function talk(port: number, host = '127.0.0.1') {
  const socket: Socket = connect(port, host)
  await once(socket, 'connect')
  let buffered = ''
  let closed = false
  const wakers: (() => void)[] = []
  const wake = () => {
    for (const w of wakers.splice(0)) w()
  }
  socket.on('data', (c: Buffer) => {
    buffered += c.toString('latin1')
    wake()
  })
  socket.on('close', () => {
    closed = true
    wake()
  })
  socket.on('error', () => {})
  return {
    socket,
    /** The next whole reply (`250-...` lines up to the `250 ...` one), or '' once the server closed. */
    async reply(): Promise<string> {
      for (;;) {
        const end = /^\d{3} .*\r\n/m.exec(buffered)
        if (end) {
          const upto = end.index + end[0].length
          const reply = buffered.slice(0, upto)
          buffered = buffered.slice(upto)
          return reply
        }
        if (closed) return ''
        await new Promise<void>((resolve) => wakers.push(resolve))
      }
    },
    write(data: string | Uint8Array): Promise<void> {
      return new Promise((resolve, reject) =>
        socket.write(data, (e) => (e ? reject(e) : resolve())),
      )
    },
    /** Resolves when the server has closed the connection. */
    closed: () => (closed ? Promise.resolve() : once(socket, 'close').then(() => {})),
    close: () => socket.destroy(),
  }
}
