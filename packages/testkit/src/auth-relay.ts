import { type ScriptedConnection, startScriptedServer } from './scripted.js'

/** A relay that takes AUTH without offering STARTTLS, and what a client wrote to it. */
export interface AuthRelay {
  /** Waits for the client to be done, stops the relay, and resolves with what it wrote. */
  wrote(): Promise<string>
}

/**
 * Starts a scripted relay on `host:port` that offers AUTH PLAIN and LOGIN but no STARTTLS,
 * accepts every command, and records every octet the client writes: the server a client must
 * not give a password in clear to, unless it is on loopback.
 *
 * @example
 * const relay = await startAuthRelay('192.0.2.25', 2525)
 * // ... connect a client ...
 * expect(await relay.wrote()).not.toContain('AUTH')
 */
export async function startAuthRelay(host: string, port: number): Promise<AuthRelay> {
  let conn: ScriptedConnection | undefined
  const server = await startScriptedServer(
    async (c) => {
      conn = c
      c.write('220 relay.test ESMTP\r\n')
      await c.readLine()
      c.write('250-relay.test\r\n250-AUTH PLAIN LOGIN\r\n250 8BITMIME\r\n')
      for (;;) {
        const line = await c.readLine()
        if (line === 'QUIT') {
          c.write('221 bye\r\n')
          c.end()
          return
        }
        c.write(line.startsWith('AUTH') ? '235 2.7.0 ok\r\n' : '250 ok\r\n')
      }
    },
    { host, port },
  )
  return {
    async wrote(): Promise<string> {
      await server.done().catch(() => {})
      await server.stop()
      return conn?.received.toString('latin1') ?? ''
    },
  }
}
