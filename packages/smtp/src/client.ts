import { connectSocket } from './connect.js'
import { Connection } from './connection.js'
import { SmtpError, type SmtpStage } from './errors.js'
import { isLoopbackAddress } from './loopback.js'
import { resolveOptions, type SmtpConnectOptions, securityFor } from './options.js'
import type { Capabilities } from './protocol/capabilities.js'
import { ControlCommand } from './protocol/control.js'
import type { Envelope, SendResult, SmtpSendOptions } from './protocol/envelope.js'
import { messageSource } from './protocol/message.js'
import { EnvelopeMemo, planTransaction } from './protocol/plan.js'
import { Session } from './protocol/session.js'
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
   * `options.beforeEnd` runs just before the end of the data is written (see
   * {@link SmtpSendOptions}).
   *
   * @example
   * const result = await client.send({ from: 'a@example.com', to: ['b@example.org'] }, raw)
   * // { accepted: ['b@example.org'], rejected: [], response: '250 2.0.0 Ok: queued as 4F2A1' }
   */
  send(
    envelope: Envelope,
    raw: string | Uint8Array,
    options?: SmtpSendOptions,
  ): Promise<SendResult> {
    return new Promise<SendResult>((resolve, reject) => {
      const signal = options?.signal
      const beforeEnd = options?.beforeEnd
      if (signal?.aborted) return reject(aborted(signal.reason, 'mail'))
      let tx: Transaction
      try {
        if (beforeEnd !== undefined && typeof beforeEnd !== 'function') {
          throw new SmtpError('beforeEnd must be a function', {
            stage: 'input',
            field: 'beforeEnd',
          })
        }
        const session = this.session
        const message = messageSource(raw)
        const plan = planTransaction(envelope, message, session.capabilities, this.planning)
        if (signal === undefined) {
          tx = new Transaction({ session, plan, message, resolve, reject, beforeEnd })
        } else {
          const onAbort = () => {
            const error = aborted(signal.reason, 'mail')
            if (session.withdraw(tx)) reject(error)
            else session.lost(error)
          }
          const done = () => signal.removeEventListener('abort', onAbort)
          tx = new Transaction({
            session,
            plan,
            message,
            resolve: (result) => {
              done()
              resolve(result)
            },
            reject: (error) => {
              done()
              reject(error)
            },
            beforeEnd,
          })
          signal.addEventListener('abort', onAbort, { once: true })
        }
      } catch (e) {
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

function aborted(reason: unknown, stage: SmtpStage = 'connect'): SmtpError {
  return new SmtpError('The operation was aborted', { stage, transient: true, cause: reason })
}
