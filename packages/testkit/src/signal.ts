import type { Server, Socket } from 'node:net'

/**
 * The conditions a test server's `until()` waits on, checked again each time the server reports
 * an event through {@link Changes.changed}: a signal, not a poll.
 */
export class Changes {
  private readonly waiters = new Set<() => void>()

  /** @param name Names the server in the timeout error, e.g. `'sink'`. */
  constructor(private readonly name: string) {}

  /** Something happened: every pending condition is checked again. */
  changed(): void {
    for (const wake of this.waiters) wake()
  }

  /** Resolves once `check()` holds; rejects after `timeoutMs`. */
  until(check: () => boolean, timeoutMs: number): Promise<void> {
    if (check()) return Promise.resolve()
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(wake)
        reject(new Error(`${this.name}: condition not reached within ${timeoutMs} ms`))
      }, timeoutMs)
      const wake = () => {
        if (!check()) return
        clearTimeout(timer)
        this.waiters.delete(wake)
        resolve()
      }
      this.waiters.add(wake)
    })
  }
}

/** Drops the open `sockets` and resolves once `server` has closed. */
export function closeServer(server: Server, sockets: Iterable<Socket>): Promise<void> {
  return new Promise<void>((resolve) => {
    for (const socket of sockets) socket.destroy()
    server.close(() => resolve())
  })
}
