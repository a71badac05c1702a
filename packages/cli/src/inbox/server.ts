import type { AddressInfo } from 'node:net'
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server'
import { storeMessage } from './store.js'

/**
 * What the inbox reports for every message it stores.
 *
 * @example
 * await startInboxServer({ dir, onMessage: (m) => console.log(m.path, m.envelope.to) })
 */
export interface DeliveredMessage {
  /** Where the `.eml` file was written. */
  path: string
  /** The SMTP envelope: MAIL FROM and every RCPT TO of the transaction. */
  envelope: { from: string; to: string[] }
  /** Octets stored (exactly the bytes received, dot-unstuffed). */
  size: number
}

/**
 * Options of {@link startInboxServer}.
 *
 * @example
 * const options: InboxServerOptions = { dir: '.mail/inbox', port: 2525 }
 */
export interface InboxServerOptions {
  /** Folder the `.eml` files go to (created on the first message). */
  dir: string
  /** Listening address; default 127.0.0.1. */
  host?: string
  /** Listening port; default 0 (any free port). */
  port?: number
  /** Called after each message is stored and before the client gets its 250 reply. */
  onMessage?: (message: DeliveredMessage) => void
  /** Called when a received message cannot be stored (the client gets a 451 and may retry). */
  onStoreError?: (error: Error) => void
  /** Milliseconds open connections get to finish when the server closes; default 3000. */
  closeTimeoutMs?: number
}

/**
 * A running inbox server.
 *
 * @example
 * const inbox: InboxServer = await startInboxServer({ dir: '.mail/inbox' })
 * console.log(`smtp://${inbox.host}:${inbox.port}`)
 * await inbox.close()
 */
export interface InboxServer {
  host: string
  port: number
  /** Stops accepting connections, lets open ones finish, then resolves. */
  close(): Promise<void>
}

/**
 * Starts a development inbox: an SMTP server (npm `smtp-server`) that stores every message it
 * receives as an `.eml` file. Authentication is optional and any credentials are accepted:
 * it is a local sink for development, not a relay.
 *
 * @example
 * const inbox = await startInboxServer({ dir: '.mail/inbox' })
 * await sendmail(msg, { host: inbox.host, port: inbox.port, security: 'none' })
 * await inbox.close()
 */
export async function startInboxServer(options: InboxServerOptions): Promise<InboxServer> {
  const host = options.host ?? '127.0.0.1'
  const server = new SMTPServer({
    banner: 'mailx development inbox',
    logger: false,
    disableReverseLookup: true,
    // A loopback development sink: no certificate to manage, and clients default to
    // opportunistic STARTTLS on loopback, so plain SMTP is what they will use.
    disabledCommands: ['STARTTLS'],
    authOptional: true,
    allowInsecureAuth: true,
    closeTimeout: options.closeTimeoutMs ?? 3000,
    onAuth(auth, _session, callback) {
      callback(null, { user: auth.username ?? 'anonymous' })
    },
    onData(stream: SMTPServerDataStream, session: SMTPServerSession, callback) {
      collect(stream)
        .then(async (raw) => {
          const path = await storeMessage(options.dir, raw)
          const envelope = envelopeOf(session)
          options.onMessage?.({ path, envelope, size: raw.length })
          callback(null, `Stored as ${path.slice(path.lastIndexOf('/') + 1)}`)
        })
        .catch((err: unknown) => {
          if ((err as { responseCode?: number }).responseCode) return callback(err as Error)
          options.onStoreError?.(err as Error)
          const error = new Error(`Could not store message: ${(err as Error).message}`)
          callback(Object.assign(error, { responseCode: 451 }))
        })
    },
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  const address = server.server.address() as AddressInfo
  // Errors after start (a client resetting its socket) must not crash the process.
  server.on('error', () => {})
  return {
    host,
    port: address.port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

async function collect(stream: SMTPServerDataStream): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of stream) chunks.push(chunk as Buffer)
  if (stream.sizeExceeded) {
    throw Object.assign(new Error('message too large'), { responseCode: 552 })
  }
  return Buffer.concat(chunks)
}

function envelopeOf(session: SMTPServerSession): { from: string; to: string[] } {
  const from = session.envelope.mailFrom
  return {
    from: from ? from.address : '',
    to: session.envelope.rcptTo.map((r) => r.address),
  }
}
