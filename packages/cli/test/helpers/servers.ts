import { createServer } from 'node:net'
import { SMTPServer } from 'smtp-server'

/** A loopback port nothing listens on: bound once by the OS, then released. */
export async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

/**
 * A real SMTP server (npm smtp-server) that refuses the given recipients with 550 5.1.1 and
 * accepts everything else: partial rejection, which aiosmtpd cannot produce.
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
