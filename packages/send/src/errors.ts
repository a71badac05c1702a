/**
 * Why a `SendError` was raised:
 * - `'transport'`: the transport (URL or options) is missing or malformed; `field` names the part.
 * - `'envelope'`: an explicit envelope or the derived one cannot be sent; `field` names the part.
 * - `'message'`: a ready message given to `sendRaw` cannot be sent as it is (`field` `'raw'`).
 * - `'delivery-unknown'`: the connection failed after the whole message was sent but before the
 *   server's reply: the message may or may not have been delivered, so it is never retried.
 * - `'closed'`: the transport was closed before the message could be sent.
 */
export type SendErrorKind = 'transport' | 'envelope' | 'message' | 'delivery-unknown' | 'closed'

/**
 * An error of `@mail/send` itself. Server replies and network failures are `SmtpError`s, bad
 * messages `MimeError`s; both come through unchanged (except delivery-unknown, wrapped here).
 * Messages never contain a password.
 *
 * @example
 * try { await sendmail(message, 'smtp://host:99999') }
 * catch (e) { if (e instanceof SendError && e.kind === 'transport') console.error(e.field) }
 */
export class SendError extends Error {
  override readonly name = 'SendError'
  readonly kind: SendErrorKind
  /** The option, URL part or envelope field at fault, e.g. `'port'` or `'envelope.to[0]'`. */
  readonly field: string | undefined
  /** True when the message may have been delivered (kind `'delivery-unknown'`). */
  readonly deliveryUnknown: boolean

  constructor(kind: SendErrorKind, message: string, options?: { field?: string; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause })
    this.kind = kind
    this.field = options?.field
    this.deliveryUnknown = kind === 'delivery-unknown'
  }
}

/** A configuration error naming the field, never echoing its value (it may hold a password). */
export function transportError(field: string, problem: string): SendError {
  return new SendError('transport', `Invalid SMTP transport: ${field} ${problem}`, { field })
}

/** The error a message rejects with when its signal aborts: the signal's reason, as `fetch` does. */
export function abortReason(signal: AbortSignal): unknown {
  if (signal.reason !== undefined) return signal.reason
  return new DOMException('The operation was aborted', 'AbortError')
}
