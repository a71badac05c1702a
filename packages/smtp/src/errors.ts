/** The step of the SMTP conversation an error belongs to. */
export type SmtpStage =
  | 'connect'
  | 'tls'
  | 'greeting'
  | 'ehlo'
  | 'starttls'
  | 'auth'
  | 'mail'
  | 'rcpt'
  | 'data'
  | 'message'
  | 'quit'
  | 'input'

/**
 * One recipient the server refused, with the reply it gave.
 *
 * @example
 * { address: 'nobody@example.org', code: 550, enhancedCode: '5.1.1', message: 'User unknown' }
 */
export interface RecipientRejection {
  address: string
  code: number
  enhancedCode?: string
  message: string
}

/**
 * Which change would fix the failure, for errors whose message suggests one: a program (a CLI,
 * a settings page) can offer its own wording of the fix without reading the message.
 *
 * - `'use-implicit-tls'`: the server speaks TLS from the first byte: security `'implicit'`.
 * - `'use-starttls'`: the server greets in plaintext: security `'starttls'` instead of `'implicit'`.
 * - `'starttls-unavailable'`: security `'starttls'` but the server offers no STARTTLS: TLS from the
 *   first byte (`'implicit'`, often port 465) or, knowingly, plaintext (`'starttls-opportunistic'`).
 * - `'plaintext-auth'`: credentials were not sent over an unencrypted connection to a host that
 *   is not on a loopback address: use TLS, or set `allowInsecureAuth`.
 * - `'untrusted-certificate'`: the server's certificate is self-signed, from an unknown issuer
 *   or for another name: pass the issuing CA (`tls: { ca }`) or connect by the certified name.
 * - `'needs-smtputf8'`: an envelope address is not ASCII and the server lacks SMTPUTF8.
 * - `'needs-8bitmime'`: the message has 8-bit octets and the server lacks 8BITMIME.
 * - `'message-too-large'`: the message exceeds the server's SIZE (see {@link SmtpError.size}).
 *
 * @example
 * if (e instanceof SmtpError && e.hint === 'untrusted-certificate') console.error('pass --ca')
 */
export type SmtpHint =
  | 'use-implicit-tls'
  | 'use-starttls'
  | 'starttls-unavailable'
  | 'plaintext-auth'
  | 'untrusted-certificate'
  | 'needs-smtputf8'
  | 'needs-8bitmime'
  | 'message-too-large'

/** Fields accepted by the {@link SmtpError} constructor. */
export interface SmtpErrorInit {
  stage: SmtpStage
  code?: number | undefined
  enhancedCode?: string | undefined
  command?: string | undefined
  response?: string | undefined
  /** Defaults to `code` being 4xx; pass `true` for connection losses and timeouts. */
  transient?: boolean
  /** Defaults to `code` being 5xx; pass `true` for refusals no retry can change (a revoked grant). */
  permanent?: boolean
  deliveryUnknown?: boolean
  /** The send was still queued when the connection failed: none of its commands was written. */
  notStarted?: boolean
  rejected?: RecipientRejection[]
  /** The option or envelope field at fault, for stage `'input'`. */
  field?: string | undefined
  hint?: SmtpHint | undefined
  size?: { message: number; limit: number } | undefined
  /** The proxy (`host:port`) whose step failed. */
  proxy?: string | undefined
  cause?: unknown
}

/**
 * Every failure of `@mail/smtp`: a server reply (with `code`), a timeout, a TLS or connection
 * failure, or bad input (stage `'input'`). Check fields, never parse the message.
 *
 * @example
 * try { await client.send(envelope, raw) } catch (e) {
 *   if (e instanceof SmtpError && e.transient && !e.deliveryUnknown) retryLater()
 * }
 */
export class SmtpError extends Error {
  override readonly name = 'SmtpError'
  /** The 3-digit reply code, when the server replied. */
  readonly code?: number
  /** RFC 3463 enhanced status code such as '5.1.1', when the reply carried one. */
  readonly enhancedCode?: string
  /** The command verb whose reply failed, e.g. 'MAIL FROM', 'RCPT TO', 'DATA'. */
  readonly command?: string
  /** The server's reply, code included, lines joined with '\n'. */
  readonly response?: string
  /** True for a 4xx reply or a connection lost or timed out: trying again later may work. */
  readonly transient: boolean
  /**
   * True for a 5xx reply, or a refusal that trying again cannot change: an OAuth2 grant or client
   * the token endpoint refused (`invalid_grant`, `invalid_client`), proxy credentials or policy.
   */
  readonly permanent: boolean
  readonly stage: SmtpStage
  /**
   * True only when the connection failed after the end of the message data was sent and before
   * its reply arrived: the message may have been delivered, so never retry automatically.
   */
  readonly deliveryUnknown: boolean
  /**
   * True when a send failed before its transaction started (it was queued behind others on a
   * connection that failed): none of its commands was written, so it was not an attempt.
   */
  readonly notStarted: boolean
  /** Every recipient's refusal, when all recipients were rejected. */
  readonly rejected?: RecipientRejection[]
  /**
   * For stage `'input'`: the option or envelope field at fault, as written in the options,
   * e.g. `'to[1]'`, `'auth.user'`, `'timeouts.greeting'`, `'secure'` (an unknown option).
   */
  readonly field?: string
  /** Which fix applies, when the message suggests one (see {@link SmtpHint}). */
  readonly hint?: SmtpHint
  /** With hint `'message-too-large'`: the message's octets and the server's SIZE limit. */
  readonly size?: { readonly message: number; readonly limit: number }
  /**
   * When a proxy failed (to connect, authenticate or open the tunnel): its `host:port`. The
   * connection never went around it.
   */
  readonly proxy?: string

  constructor(message: string, init: SmtpErrorInit) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause })
    this.stage = init.stage
    if (init.code !== undefined) this.code = init.code
    if (init.enhancedCode !== undefined) this.enhancedCode = init.enhancedCode
    if (init.command !== undefined) this.command = init.command
    if (init.response !== undefined) this.response = init.response
    if (init.rejected !== undefined) this.rejected = init.rejected
    if (init.field !== undefined) this.field = init.field
    if (init.hint !== undefined) this.hint = init.hint
    if (init.size !== undefined) this.size = init.size
    if (init.proxy !== undefined) this.proxy = init.proxy
    const code = init.code ?? 0
    this.transient = init.transient ?? (code >= 400 && code < 500)
    this.permanent = init.permanent ?? code >= 500
    this.deliveryUnknown = init.deliveryUnknown ?? false
    this.notStarted = init.notStarted ?? false
  }
}

/** The failure of a connection as seen by a send still queued on it: nothing of it was written. */
export function notStartedError(error: SmtpError): SmtpError {
  if (error.notStarted) return error
  const init: SmtpErrorInit = {
    stage: error.stage,
    code: error.code,
    enhancedCode: error.enhancedCode,
    command: error.command,
    response: error.response,
    transient: error.transient,
    permanent: error.permanent,
    notStarted: true,
    field: error.field,
    hint: error.hint,
    size: error.size,
    proxy: error.proxy,
    cause: error.cause,
  }
  if (error.rejected !== undefined) init.rejected = error.rejected
  return new SmtpError(error.message, init)
}

/** Bad caller input, naming the field at fault: never reaches the wire. */
export function inputError(message: string, field?: string): SmtpError {
  return new SmtpError(message, { stage: 'input', field })
}

/** What {@link replyError} reads of a server reply. */
interface ReplyFields {
  readonly code: number
  readonly enhancedCode?: string | undefined
  readonly raw: string
}

/**
 * An {@link SmtpError} for a refusing reply: the message ends with the reply as received.
 *
 * @example replyError('MAIL FROM was refused', reply, 'mail', 'MAIL FROM')
 */
export function replyError(
  message: string,
  reply: ReplyFields,
  stage: SmtpStage,
  command?: string,
): SmtpError {
  return new SmtpError(`${message}: ${reply.raw}`, {
    stage,
    code: reply.code,
    enhancedCode: reply.enhancedCode,
    command,
    response: reply.raw,
  })
}
