import type { EventEmitter } from 'node:events'

/** A server as both sides have one: node:http's, and smtp-server's (which wraps node:net's). */
interface Listener extends EventEmitter {
  listen(port: number, host: string, callback: () => void): unknown
}

/**
 * Listens on `host:port`, rejecting with the listen error (EADDRINUSE, EACCES, ...). Once
 * listening, errors (a client resetting its socket) are ignored: they must not end the process.
 */
export async function listen(server: Listener, port: number, host: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  server.on('error', () => {})
}
