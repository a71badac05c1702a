import { abortReason } from './errors.js'
import { type ResolvedTransport, resolveTransport } from './options.js'
import { prepare } from './prepare.js'
import { SmtpTransport } from './transport.js'
import type { SendInfo, SendMessage, SendOptions, TransportInput } from './types.js'

/**
 * Builds one message, connects, sends it, and quits. The message is validated before anything
 * connects (`MimeError`); the transport is a URL, options, or the SMTP_URL environment variable
 * when omitted. Transient failures are retried per `retry`; a server's refusal rejects with
 * `SmtpError`.
 *
 * @example
 * const info = await sendmail(
 *   { from: 'me@example.com', to: 'you@example.org', subject: 'Hi', text: 'Hello!' },
 *   'smtps://me%40example.com:secret@mail.example.com',
 * )
 * console.log(info.messageId, info.accepted)
 */
export async function sendmail(
  message: SendMessage,
  transport?: TransportInput,
  options?: SendOptions,
): Promise<SendInfo> {
  const signal = options?.signal
  if (signal?.aborted) throw abortReason(signal)
  let config: ResolvedTransport
  try {
    config = resolveTransport(transport)
  } catch (error) {
    // A bad message is reported first, whatever else is wrong.
    prepare(message, undefined)
    throw error
  }
  const prepared = prepare(message, config.build)
  const smtp = new SmtpTransport(config)
  try {
    return await smtp.sendPrepared(prepared, signal)
  } finally {
    await smtp.close()
  }
}
