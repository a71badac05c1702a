import { abortReason } from './errors.js'
import {
  checkCallOptions,
  type ResolvedTransport,
  resolveTransport,
  SEND_OPTIONS,
} from './options.js'
import { prepare } from './prepare.js'
import { smtpTransport } from './transport.js'
import type { SendInfo, SendMessage, SendOptions, Transport, TransportInput } from './types.js'

/**
 * Builds one message and sends it. The transport is a URL, options (then it connects, sends and
 * quits), a transport made by `createTransport` or `createTestTransport` (used as it is, left
 * open), or, when omitted, the SMTP_URL environment variable. The message is validated before
 * anything connects (`MimeError`); transient failures are retried per `retry`; a server's
 * refusal rejects with `SmtpError`.
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
  transport?: TransportInput | Transport,
  options?: SendOptions,
): Promise<SendInfo> {
  checkCallOptions(options, SEND_OPTIONS, 'sendmail')
  const signal = options?.signal
  if (signal?.aborted) throw abortReason(signal)
  if (isTransport(transport)) return transport.send(message, options)
  let config: ResolvedTransport
  try {
    config = resolveTransport(transport)
  } catch (error) {
    // A bad message is reported first, whatever else is wrong.
    prepare(message, undefined)
    throw error
  }
  const prepared = prepare(message, config.build)
  const smtp = smtpTransport(config)
  try {
    // A built message always has its Message-ID, so its result is a whole SendInfo.
    return (await smtp.sendPrepared(prepared, options)) as SendInfo
  } finally {
    await smtp.close()
  }
}

/** A transport object (it sends), as opposed to options (plain data). */
function isTransport(value: unknown): value is Transport {
  return (
    typeof value === 'object' && value !== null && typeof (value as Transport).send === 'function'
  )
}
