import type { Capabilities, Envelope, SendResult } from '@mail/smtp'
import { SmtpClient } from '@mail/smtp'
import { abortReason, SendError } from './errors.js'
import { Limit } from './limit.js'
import {
  checkCallOptions,
  type ResolvedTransport,
  resolveTransport,
  SEND_MANY_OPTIONS,
  SEND_OPTIONS,
} from './options.js'
import { Pool, type PoolClient } from './pool.js'
import { type PreparedMessage, prepare, prepareRaw, sign } from './prepare.js'
import { sendInOrder } from './send-many.js'
import type {
  MessageSource,
  RawSendInfo,
  SendInfo,
  SendManyOptions,
  SendManyResult,
  SendMessage,
  SendOptions,
  Transport,
  TransportInput,
  VerifyInfo,
} from './types.js'

/**
 * Creates a transport that keeps its connections open between messages. Options are validated
 * here (a `SendError` naming the field); nothing connects until the first message or `verify()`.
 * Without `pool` it keeps one connection; with `pool` up to `maxConnections`.
 *
 * @example
 * await using transport = createTransport({ url: process.env.SMTP_URL, pool: { maxConnections: 4 } })
 * const info = await transport.send({ from: 'a@example.com', to: 'b@example.org', text: 'Hi' })
 */
export function createTransport(transport?: TransportInput): Transport {
  return smtpTransport(resolveTransport(transport))
}

/** The SMTP transport for a validated configuration (`createTransport` and `sendmail`). */
export function smtpTransport(config: ResolvedTransport): PooledTransport {
  return new PooledTransport(config, (signal) => SmtpClient.connect({ ...config.connect, signal }))
}

/** A connection of a delivery backend: what the pool sends with, and what `verify()` reports. */
export interface BackendClient extends PoolClient {
  readonly capabilities: Capabilities
  readonly secure: boolean
  readonly authenticated: boolean
}

/** Opens one ready connection to the delivery backend (an SMTP server, or memory). */
export type Backend = (signal: AbortSignal) => Promise<BackendClient>

/**
 * The transport behind `createTransport`, `sendmail` and `createTestTransport`: messages are
 * validated, built and signed, then shared among the backend's connections by the pool, with
 * its retries. Only the backend differs between SMTP and the test transport.
 */
export class PooledTransport implements Transport {
  private readonly config: Omit<ResolvedTransport, 'connect'>
  private readonly backend: Backend
  private readonly pool: Pool
  /** Streamed messages being signed at once: as many as there are connections to send them. */
  private readonly signing: Limit
  private closed = false

  constructor(config: Omit<ResolvedTransport, 'connect'>, backend: Backend) {
    this.config = config
    this.backend = backend
    const { pool, retry } = config
    this.pool = new Pool({ ...pool, attempts: retry.attempts, backoffMs: retry.backoffMs }, backend)
    this.signing = new Limit(pool.maxConnections)
  }

  send(message: SendMessage, options?: SendOptions): Promise<SendInfo> {
    const refused = this.refusal(options, 'send')
    if (refused !== undefined) return refused
    let prepared: PreparedMessage
    try {
      prepared = prepare(message, this.config.build)
    } catch (error) {
      return Promise.reject(error)
    }
    // A built message always has its Message-ID, so its result is a whole SendInfo.
    return this.sendPrepared(prepared, options) as Promise<SendInfo>
  }

  sendRaw(
    envelope: Envelope,
    raw: string | Uint8Array,
    options?: SendOptions,
  ): Promise<RawSendInfo> {
    const refused = this.refusal(options, 'sendRaw')
    if (refused !== undefined) return refused
    let prepared: PreparedMessage
    try {
      prepared = prepareRaw(envelope, raw, this.config.build?.smtputf8 === true)
    } catch (error) {
      return Promise.reject(error)
    }
    return this.sendPrepared(prepared, options)
  }

  private refusal(options: SendOptions | undefined, call: string): Promise<never> | undefined {
    try {
      checkCallOptions(options, SEND_OPTIONS, call)
    } catch (error) {
      return Promise.reject(error)
    }
    const signal = options?.signal
    if (signal?.aborted) return Promise.reject(abortReason(signal))
    if (this.closed) return Promise.reject(new SendError('closed', 'The transport is closed'))
    return undefined
  }

  /** Signs (with `dkim`) and sends a message already validated (used by `sendmail`). */
  sendPrepared(prepared: PreparedMessage, options?: SendOptions): Promise<RawSendInfo> {
    if (this.config.dkim.length > 0) return this.signAndSend(prepared, options)
    return this.pool.submit(prepared, options).then((result) => this.finish(prepared, result))
  }

  private async signAndSend(prepared: PreparedMessage, options?: SendOptions) {
    const body = prepared.body
    const dkim = this.config.dkim
    prepared.body =
      typeof body === 'string' || body instanceof Uint8Array
        ? await sign(body, dkim)
        : await this.signing.run(() => sign(body, dkim))
    const signal = options?.signal
    if (signal?.aborted) throw abortReason(signal)
    return this.finish(prepared, await this.pool.submit(prepared, options))
  }

  private finish(prepared: PreparedMessage, result: SendResult): RawSendInfo {
    const info = resultInfo(prepared, result)
    this.delivered(prepared, info)
    return info
  }

  /** Called once per delivered message with its result (the test transport records it). */
  protected delivered(_prepared: PreparedMessage, _info: RawSendInfo): void {}

  sendMany(messages: MessageSource, options?: SendManyOptions): AsyncGenerator<SendManyResult> {
    checkCallOptions(options, SEND_MANY_OPTIONS, 'sendMany')
    const window = options?.window ?? this.pool.capacity
    return sendInOrder((m, o) => this.send(m, o), messages, window, options)
  }

  async verify(options?: SendOptions): Promise<VerifyInfo> {
    checkCallOptions(options, ['signal'], 'verify')
    const signal = options?.signal ?? new AbortController().signal
    if (signal.aborted) throw abortReason(signal)
    const client = await this.backend(signal)
    const info: VerifyInfo = {
      capabilities: client.capabilities,
      secure: client.secure,
      authenticated: client.authenticated,
    }
    await client.quit()
    return info
  }

  async close(): Promise<void> {
    this.closed = true
    await this.pool.close()
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close()
  }
}

function resultInfo(prepared: PreparedMessage, result: SendResult): RawSendInfo {
  const { messageId, envelope } = prepared
  const { accepted, rejected, response } = result
  // The result reports the addresses, not the wire flags (SMTPUTF8, DSN) of the envelope.
  const addresses =
    envelope.smtputf8 === undefined && envelope.dsn === undefined
      ? envelope
      : { from: envelope.from, to: envelope.to }
  if (messageId === undefined) return { envelope: addresses, accepted, rejected, response }
  return { messageId, envelope: addresses, accepted, rejected, response }
}
