import type { AddressInfo } from 'node:net'
import { PassThrough } from 'node:stream'
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server'
import type { Catalog } from './catalog.js'
import { listen } from './listen.js'
import type { Envelope } from './store/types.js'
import type { ResolvedLimits } from './types.js'

/** Options of {@link startReceiver}. */
export interface ReceiverOptions {
  host: string
  port: number
  limits: ResolvedLimits
  catalog: Catalog
  /** Called when a received message cannot be stored (the client gets a 451 and may retry). */
  onError?: ((error: Error) => void) | undefined
  /** Milliseconds open sessions get to finish when the inbox closes; default 3000. */
  closeTimeoutMs?: number
}

/** The listening SMTP side. */
export interface Receiver {
  host: string
  port: number
  close(): Promise<void>
}

/** The data stream failed (too large, client gone): the session's problem, not the store's. */
class DataAborted extends Error {
  readonly responseCode: number
  constructor(message: string, responseCode: number) {
    super(message)
    this.responseCode = responseCode
  }
}

/**
 * Starts the SMTP side on npm `smtp-server`. A local sink for development, not a relay: no
 * STARTTLS (clients default to opportunistic STARTTLS on loopback, so plain SMTP is what they
 * use), and any AUTH credentials are accepted. SIZE is advertised and enforced (RFC 1870); past
 * `maxConnections` a client is answered 421 and disconnected.
 */
export async function startReceiver(options: ReceiverOptions): Promise<Receiver> {
  const { catalog, limits } = options
  const server = new SMTPServer({
    banner: 'mail development inbox',
    logger: false,
    disableReverseLookup: true,
    disabledCommands: ['STARTTLS'],
    authOptional: true,
    allowInsecureAuth: true,
    size: limits.maxMessageSize,
    maxClients: limits.maxConnections,
    closeTimeout: options.closeTimeoutMs ?? 3000,
    onAuth(auth, _session, callback) {
      callback(null, { user: auth.username ?? 'anonymous' })
    },
    onData(stream: SMTPServerDataStream, session: SMTPServerSession, callback) {
      const body = new PassThrough()
      // The store may not be reading yet when the data fails; it learns of it when it starts.
      body.on('error', () => {})
      let aborted: DataAborted | undefined
      const abort = (error: DataAborted) => {
        aborted ??= error
        body.destroy(aborted)
      }
      // RFC 1870 6.3: past the declared limit the rest is read and dropped, never written; the
      // 552 goes out once the client has finished sending.
      const tooLarge = () =>
        abort(new DataAborted(`message exceeds the size limit of ${limits.maxMessageSize}`, 552))
      stream.on('data', (chunk: Buffer) => {
        if (body.destroyed) return
        if (stream.sizeExceeded) return tooLarge()
        // Written to disk as it arrives, at the pace the disk takes it.
        if (!body.write(chunk)) {
          stream.pause()
          body.once('drain', () => stream.resume())
        }
      })
      stream.on('end', () => (stream.sizeExceeded ? tooLarge() : body.end()))
      stream.on('error', () => abort(new DataAborted('connection lost during DATA', 451)))
      catalog.add(body, envelopeOf(session)).then(
        (message) => {
          const name = catalog.store.path(message.id) ? `${message.id}.eml` : message.id
          callback(null, `Stored as ${name}`)
        },
        (err: Error) => {
          // Whatever is left of the message is read and dropped before the reply.
          stream.resume()
          if (aborted) return callback(aborted)
          options.onError?.(err)
          const error = new Error(`Could not store message: ${err.message}`)
          callback(Object.assign(error, { responseCode: 451 }))
        },
      )
    },
  })
  await listen(server, options.port, options.host)
  const address = server.server.address() as AddressInfo
  return {
    host: options.host,
    port: address.port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

function envelopeOf(session: SMTPServerSession): Envelope {
  const from = session.envelope.mailFrom
  return {
    from: from ? from.address : '',
    to: session.envelope.rcptTo.map((r) => r.address),
  }
}
