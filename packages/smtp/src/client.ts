import { connectSocket } from './connect.js'
import { Connection } from './connection.js'
import { inputError, SmtpError, type SmtpStage } from './errors.js'
import { isLoopbackAddress } from './loopback.js'
import { resolveOptions, type SmtpConnectOptions, securityFor } from './options.js'
import type { Capabilities } from './protocol/capabilities.js'
import { ControlCommand } from './protocol/control.js'
import type { Envelope, SendResult, SmtpSendOptions } from './protocol/envelope.js'
import { EnvelopeMemo, planTransaction } from './protocol/plan.js'
import { Session } from './protocol/session.js'
import { type Body, messageBody, type RawMessage } from './protocol/stream.js'
import { Transaction } from './protocol/transaction.js'
import { proxyLabel } from './proxy/endpoint.js'

// Content is encoded and written in slices of this size: memory stays bounded for large messages.
const CHUNK = 1024 * 1024

/**
 * A connection to an SMTP (or LMTP) server, ready to send once `connect` resolves: greeted,
 * secured as asked, authenticated.
 *
 * @example
 * await using client = await SmtpClient.connect({ host: 'smtp.example.com', auth: { user, pass } })
 * const result = await client.send({ from: 'a@example.com', to: ['b@example.org'] }, raw)
 */
export class SmtpClient {
  // What planning a transaction needs, made once: the envelope memo saves re-checking the same
  // envelope on every send of a bulk run.
  private readonly planning: {
    preferData: boolean
    log: (line: string) => void
    memo: EnvelopeMemo
  }

  private constructor(private readonly session: Session) {
    this.planning = {
      preferData: session.config.preferData,
      log: (line) => session.log('info', line),
      memo: new EnvelopeMemo(),
    }
  }

  /**
   * Connects, reads the greeting, says EHLO, upgrades with STARTTLS and authenticates as asked.
   * Options are checked first: bad or unknown ones reject with an {@link SmtpError} of stage
   * `'input'` naming the option, before any connection is made.
   */
  static async connect(options: SmtpConnectOptions): Promise<SmtpClient> {
    const resolved = resolveOptions(options)
    const { socket, adapter, servername } = await connectSocket(options, resolved)
    const log = options.onLog
    const address = socket.remoteAddress
    const peer = address === undefined || address === resolved.host ? '' : ` (${address})`
    const via = resolved.proxy === undefined ? '' : ` through the ${proxyLabel(resolved.proxy)}`
    log?.({
      direction: 'info',
      line: `Connected to ${resolved.host}:${resolved.port}${peer}${via}`,
    })
    // Loopback by the connected address only: a host name proves nothing (DNS may answer anything).
    const loopback = isLoopbackAddress(address)
    return new Promise<SmtpClient>((resolve, reject) => {
      let settled = false
      const abort = () => session.lost(aborted(options.signal?.reason))
      const connection = new Connection(
        socket,
        resolved,
        { servername, tlsOptions: options.tls },
        log,
        {
          ready: () => {
            settled = true
            options.signal?.removeEventListener('abort', abort)
            resolve(client)
          },
          failed: (error) => {
            options.signal?.removeEventListener('abort', abort)
            if (!settled) reject(error)
            settled = true
          },
        },
      )
      const session = new Session(
        {
          host: resolved.host,
          port: resolved.port,
          name: options.name ?? adapter.localName?.(socket) ?? 'localhost',
          lmtp: options.lmtp === true,
          security: securityFor(resolved, loopback),
          loopback,
          auth: options.auth,
          allowInsecureAuth: options.allowInsecureAuth === true,
          preferData: options.preferData === true,
          chunkSize: CHUNK,
        },
        connection,
      )
      const client = new SmtpClient(session)
      if (options.signal?.aborted) return abort()
      options.signal?.addEventListener('abort', abort, { once: true })
      session.flush()
      connection.start(session)
    })
  }

  /** What EHLO advertised (keywords upper-case); empty after a HELO fallback. */
  get capabilities(): Capabilities {
    return this.session.capabilities
  }

  /** The connection is open and can take another send. */
  get usable(): boolean {
    return this.session.usable
  }

  /** TLS is in use (implicit or after STARTTLS). */
  get secure(): boolean {
    return this.session.secure
  }

  /** AUTH succeeded. */
  get authenticated(): boolean {
    return this.session.authenticated
  }

  /**
   * Sends one message. Calls may overlap: they queue in order and, with PIPELINING, share
   * round trips. Resolves with the accepted and rejected recipients; rejects with
   * {@link SmtpError} when the message was not accepted for any recipient. Aborting a send that
   * has started closes the connection (the server cannot be told to forget half a transaction).
   * `options.beforeEnd` runs just before the end of the data is written, `options.onProgress`
   * hears how much the socket took (see {@link SmtpSendOptions}).
   *
   * `raw` is the whole message in memory (a string is UTF-8), or a stream or
   * {@link StreamSource} (a Blob is one; so is `@mail/mime`'s `StreamedMessage`), read only as
   * fast as the socket drains: about 1 MiB of it is held at any time. A stream is read once
   * the server is ready for the data; SIZE is declared when its size is known; if it fails,
   * the end of the data is never written (the send rejects, transient: nothing was delivered;
   * with DATA the connection is closed, the only way to abandon a message there). A
   * ReadableStream given as it is belongs to the send: it is cancelled if the send fails
   * before reading it.
   *
   * @example
   * const result = await client.send({ from: 'a@example.com', to: ['b@example.org'] }, raw)
   * // { accepted: ['b@example.org'], rejected: [], response: '250 2.0.0 Ok: queued as 4F2A1' }
   * await client.send(envelope, buildMessageStream(input), { onProgress: ({ sent, total }) => {} })
   */
  send(envelope: Envelope, raw: RawMessage, options?: SmtpSendOptions): Promise<SendResult> {
    return new Promise<SendResult>((resolve, reject) => {
      const signal = options?.signal
      if (signal?.aborted) return reject(aborted(signal.reason, 'mail'))
      let tx: Transaction
      let message: Body | undefined
      try {
        if (options !== undefined) checkSendOptions(options)
        const beforeEnd = hook(options?.beforeEnd, 'beforeEnd')
        const onProgress = hook(options?.onProgress, 'onProgress')
        const session = this.session
        message = messageBody(raw)
        const plan = planTransaction(envelope, message, session.capabilities, this.planning)
        const init = { session, plan, message, resolve, reject, beforeEnd, onProgress }
        const body = message
        if (body.streamed === true) {
          // A stream the send owns is let go when the send fails without reading it.
          init.reject = (error) => {
            body.discard(error)
            reject(error)
          }
        }
        if (signal !== undefined) {
          const onAbort = () => {
            const error = aborted(signal.reason, 'mail')
            if (session.withdraw(tx)) init.reject(error)
            else session.lost(error)
          }
          const done = () => signal.removeEventListener('abort', onAbort)
          const settle = { resolve: init.resolve, reject: init.reject }
          init.resolve = (result) => {
            done()
            settle.resolve(result)
          }
          init.reject = (error) => {
            done()
            settle.reject(error)
          }
          signal.addEventListener('abort', onAbort, { once: true })
        }
        tx = new Transaction(init)
      } catch (e) {
        if (message?.streamed === true) message.discard(e)
        return reject(e)
      }
      this.session.enqueue(tx)
    })
  }

  /** RSET (RFC 5321 4.1.1.5): abandons any transaction state on the server. */
  reset(): Promise<void> {
    return this.control('RSET')
  }

  /** NOOP (RFC 5321 4.1.1.9): checks the connection is alive. */
  noop(): Promise<void> {
    return this.control('NOOP')
  }

  /** Sends QUIT after queued sends finish, then closes. Never rejects. */
  async quit(): Promise<void> {
    if (!this.session.usable) return this.close()
    await this.control('QUIT').catch(() => {})
  }

  /** Closes at once without QUIT; sends still pending fail. */
  close(): void {
    this.session.lost(
      new SmtpError('The client closed the connection', { stage: 'quit', transient: true }),
    )
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.quit()
  }

  private control(verb: 'RSET' | 'NOOP' | 'QUIT'): Promise<void> {
    return new Promise((resolve, reject) => {
      this.session.enqueue(new ControlCommand(this.session, verb, resolve, reject))
    })
  }
}

/** A callback option: undefined, or a function (anything else is refused, naming it). */
function hook<T>(value: T | undefined, field: string): T | undefined {
  if (value !== undefined && typeof value !== 'function') {
    throw new SmtpError(`${field} must be a function`, { stage: 'input', field })
  }
  return value
}

function aborted(reason: unknown, stage: SmtpStage = 'connect'): SmtpError {
  return new SmtpError('The operation was aborted', { stage, transient: true, cause: reason })
}

const SEND_OPTION_KEYS = ['signal', 'beforeEnd', 'onProgress']

/** A key `send` does not know is refused by name, not ignored (a misspelt signal never aborts). */
function checkSendOptions(options: SmtpSendOptions): void {
  for (const key of Object.keys(options)) {
    if (!SEND_OPTION_KEYS.includes(key)) {
      throw inputError(
        `options.${key} is not an option of send (${SEND_OPTION_KEYS.join(', ')})`,
        `options.${key}`,
      )
    }
  }
}
