import { createServer, type Socket, connect as tcpConnect } from 'node:net'
import { SMTPServer } from 'smtp-server'

/**
 * A loopback port that refuses connections, with no race: the port is held by a connected
 * client socket (bound, not listening), so the kernel gives it to nobody else until `release()`.
 * A connection to it is refused (ECONNREFUSED).
 *
 * @example
 * const closed = await refusingPort()
 * try { await expect(connect(closed.port)).rejects.toThrow(/ECONNREFUSED/) } finally { await closed.release() }
 */
export async function refusingPort(): Promise<{ port: number; release(): Promise<void> }> {
  const server = createServer()
  const accepted: Socket[] = []
  server.on('connection', (s) => accepted.push(s))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port: listening } = server.address() as { port: number }
  const client = tcpConnect({ host: '127.0.0.1', port: listening })
  await new Promise<void>((resolve, reject) => {
    client.once('connect', resolve)
    client.once('error', reject)
  })
  // The listener can go (close() stops listening at once; its callback would wait for the
  // accepted socket): the client socket keeps its own port bound.
  server.close()
  const port = client.localPort as number
  return {
    port,
    release: async () => {
      client.destroy()
      for (const s of accepted) s.destroy()
    },
  }
}

/**
 * A real SMTP server (npm smtp-server) on 127.0.0.1, port 0, that refuses the given recipients
 * with 550 5.1.1 and accepts everything else: partial rejection, which aiosmtpd cannot produce.
 */
export async function startRejectingServer(
  refuse: string[],
): Promise<{ port: number; messages: Buffer[]; stop(): Promise<void> }> {
  const messages: Buffer[] = []
  const server = new SMTPServer({
    logger: false,
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    disableReverseLookup: true,
    onRcptTo(address, _session, callback) {
      if (!refuse.includes(address.address)) return callback()
      callback(Object.assign(new Error('5.1.1 No such user here'), { responseCode: 550 }))
    },
    onData(stream, _session, callback) {
      const chunks: Buffer[] = []
      stream.on('data', (c: Buffer) => chunks.push(c))
      stream.on('end', () => {
        messages.push(Buffer.concat(chunks))
        callback()
      })
    },
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.server.address() as { port: number }
  return { port, messages, stop: () => new Promise((resolve) => server.close(() => resolve())) }
}
