import { SmtpClient } from '@mail/smtp'
import { abortReason, SendError } from './errors.js'
import { type ResolvedTransport, resolveTransport } from './options.js'
import { Pool } from './pool.js'
import { type PreparedMessage, prepare, sign } from './prepare.js'
import { sendInOrder } from './send-many.js'
import type {
  MessageSource,
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
  return new SmtpTransport(resolveTransport(transport))
}

/** The SMTP transport behind `createTransport` and `sendmail`. */
export class SmtpTransport implements Transport {
  private readonly config: ResolvedTransport
  private readonly pool: Pool
  private closed = false

  constructor(config: ResolvedTransport) {
    this.config = config
    this.pool = new Pool({ ...config.pool, retry: config.retry }, (signal) =>
      SmtpClient.connect({ ...config.connect, signal }),
    )
  }

  send(message: SendMessage, options?: SendOptions): Promise<SendInfo> {
    const signal = options?.signal
    if (signal?.aborted) return Promise.reject(abortReason(signal))
    if (this.closed) return Promise.reject(new SendError('closed', 'The transport is closed'))
    let prepared: PreparedMessage
    try {
      prepared = prepare(message, this.config.build)
    } catch (error) {
      return Promise.reject(error)
    }
    return this.sendPrepared(prepared, signal)
  }

  /** Sends a message already validated and built (used by `sendmail`). */
  async sendPrepared(prepared: PreparedMessage, signal?: AbortSignal): Promise<SendInfo> {
    if (this.config.dkim.length > 0) {
      prepared.raw = await sign(prepared.raw, this.config.dkim)
      if (signal?.aborted) throw abortReason(signal)
    }
    return this.pool.submit(prepared, signal)
  }

  sendMany(messages: MessageSource, options?: SendManyOptions): AsyncGenerator<SendManyResult> {
    const window = options?.window ?? this.pool.capacity
    return sendInOrder((m, o) => this.send(m, o), messages, window, options)
  }

  async verify(options?: SendOptions): Promise<VerifyInfo> {
    const signal = options?.signal
    if (signal?.aborted) throw abortReason(signal)
    const client = await SmtpClient.connect(
      signal ? { ...this.config.connect, signal } : this.config.connect,
    )
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
