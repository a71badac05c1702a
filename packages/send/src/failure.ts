import { MimeError } from '@mail/mime'
import { SmtpError } from '@mail/smtp'
import { SendError } from './errors.js'

// The one place that says what a failure means. The pool decides retries with it and the CLI
// words its messages with it; nothing else reads `deliveryUnknown`, reply codes or causes to
// decide whether a message may be sent again.

/**
 * What a failed attempt means for the message:
 * - `'transient'`: a 4xx reply, or the connection was lost (or a TLS handshake broke off) before
 *   the end of the data was sent; nothing was delivered, so trying again cannot duplicate it.
 * - `'permanent'`: a 5xx reply or an error no retry can fix (bad input, a certificate that does
 *   not verify, bad credentials, a message source that gave bad content).
 * - `'delivery-unknown'`: the connection failed after the final "." (or last BDAT chunk) and
 *   before its reply: the server may have taken the message; retrying could deliver it twice.
 */
export type FailureKind = 'transient' | 'permanent' | 'delivery-unknown'

/**
 * A failure as the pool sees it.
 *
 * @example
 * describeFailure(error) // { kind: 'transient', started: true, slowDown: true } for a 421
 */
export interface Failure {
  kind: FailureKind
  /**
   * Commands of this send reached the connection, so the failure is one of its attempts. False
   * for a send that was only queued on a connection that failed.
   */
  started: boolean
  /** RFC 5321 4.2.2 421, or an RFC 3463 4.7.x status: the server asks for less traffic. */
  slowDown: boolean
}

/**
 * Classifies an error of one attempt (RFC 5321 section 4.2.1: 4yz transient, 5yz permanent).
 *
 * @example
 * classifyFailure(err) === 'transient' // retry later
 */
export function classifyFailure(error: unknown): FailureKind {
  if (error instanceof SendError)
    return error.kind === 'delivery-unknown' ? error.kind : 'permanent'
  if (!(error instanceof SmtpError)) return 'permanent'
  if (error.deliveryUnknown) return 'delivery-unknown'
  // A streamed message's source gave what no retry changes (a file changed since it was
  // attached, a chunk that is not bytes): the MimeError names it.
  if (error.cause instanceof MimeError) return 'permanent'
  if (error.code !== undefined)
    return error.code >= 400 && error.code < 500 ? 'transient' : 'permanent'
  if (error.stage === 'input') return 'permanent'
  if (error.stage === 'tls') return tlsVerdict(error.cause) ? 'permanent' : 'transient'
  return error.transient ? 'transient' : 'permanent'
}

/**
 * {@link classifyFailure} plus what the pool needs besides: whether the attempt counts, and
 * whether the server asked to slow down.
 *
 * @example
 * const { kind, started } = describeFailure(error)
 */
export function describeFailure(error: unknown): Failure {
  const smtp = error instanceof SmtpError ? error : undefined
  return {
    kind: classifyFailure(error),
    started: smtp?.notStarted !== true,
    slowDown:
      smtp !== undefined && (smtp.code === 421 || smtp.enhancedCode?.startsWith('4.7.') === true),
  }
}

// Socket errors (errno codes) and timeouts while the handshake runs: the peer went away.
const NETWORK = /^E[A-Z]+$|^ERR_TLS_HANDSHAKE_TIMEOUT$|^ERR_SOCKET_CLOSED$/

/**
 * Whether a TLS failure is the TLS layer's verdict (a certificate that does not verify, a
 * protocol mismatch: OpenSSL and Node give these a code) rather than a connection lost or timed
 * out mid-handshake, which a new connection may get past.
 */
function tlsVerdict(cause: unknown): boolean {
  for (let e = cause, depth = 0; e !== null && typeof e === 'object' && depth < 8; depth++) {
    const code = (e as { code?: unknown }).code
    if (typeof code === 'string' && code !== '') return !NETWORK.test(code)
    e = (e as { cause?: unknown }).cause
  }
  return false
}
