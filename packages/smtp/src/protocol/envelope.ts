/** RFC 3461 DSN requests for one message. */
export interface DsnOptions {
  /** RET: return the full message or only its headers in a bounce. */
  ret?: 'FULL' | 'HDRS'
  /** ENVID: an identifier echoed in every DSN (printable ASCII, at most 100 characters). */
  envid?: string
  /** NOTIFY for every recipient: 'NEVER' alone, or any of the others. */
  notify?: ('NEVER' | 'SUCCESS' | 'FAILURE' | 'DELAY')[]
  /** Add ORCPT=rfc822;address for every recipient. */
  orcpt?: boolean
}

/**
 * Who a message is from and to, as bare addresses (no names, no angle brackets).
 *
 * @example
 * { from: 'alice@example.com', to: ['bob@example.org'], dsn: { notify: ['FAILURE'] } }
 */
export interface Envelope {
  /** The reverse-path; '' is the null sender (bounces). */
  from: string
  to: string[]
  /** Used when the server offers DSN; ignored (and logged) when it does not. */
  dsn?: DsnOptions
  /** Force SMTPUTF8 even when every address is ASCII. */
  smtputf8?: boolean
}

/**
 * Options of one `SmtpClient.send` call.
 *
 * @example
 * await client.send(envelope, raw, {
 *   signal: AbortSignal.timeout(60_000),
 *   beforeEnd: () => journal.markSending(id), // resolves before the end of data goes out
 *   onProgress: ({ sent, total }) => bar.update(sent, total),
 * })
 */
export interface SmtpSendOptions {
  /**
   * Aborts the send: a send still queued is withdrawn; one under way closes the connection
   * (the server cannot be told to forget half a transaction).
   */
  signal?: AbortSignal
  /**
   * Awaited just before the end of the message data is written: the final "." of DATA, or the
   * BDAT LAST chunk (with it, the content goes in chunks of its own and the end is an empty
   * `BDAT 0 LAST`). It runs once the server has accepted MAIL, at least one recipient and
   * (for BDAT) every chunk, so from the moment it resolves the message may be delivered: record
   * there whatever must be known before that (a queue marks the message as possibly sent).
   * Transactions queued behind this one wait for it.
   *
   * If it rejects, the end is never written, so nothing is delivered: `send` rejects with a
   * transient `SmtpError` (stage `'data'`) whose `cause` is the rejection, and the
   * transaction is abandoned safely: with BDAT by RSET (the connection stays usable), with DATA
   * by closing the connection (the only way to stop a message in DATA; sends queued behind it
   * fail as transient). Keep it short: the server's data timeout runs meanwhile.
   */
  beforeEnd?: () => Promise<void>
  /**
   * Hears how much of the message the socket has taken: `sent` counts message octets as given
   * (before dot-stuffing, without the final "." or BDAT command lines), rising; `total` is the
   * message's size when known (a string, bytes, or a source with `size`), and always on the
   * last call, which has `sent === total`. Reports come about every 256 KiB. An exception it
   * throws does not affect the send; it is reported as an uncaught exception.
   */
  onProgress?: (progress: SendProgress) => void
}

/**
 * How much of a message the socket has taken (see `SmtpSendOptions.onProgress`).
 *
 * @example
 * { sent: 1_048_576, total: 268_435_456 }
 */
export interface SendProgress {
  /** Message octets handed to the socket so far. */
  sent: number
  /** The message's octets, when known; on the last report, always. */
  total?: number
}

/**
 * The outcome of one message.
 *
 * @example
 * { accepted: ['bob@example.org'], rejected: [], response: '250 2.0.0 Ok: queued as 4F2A1' }
 */
export interface SendResult {
  accepted: string[]
  rejected: import('../errors.js').RecipientRejection[]
  /** The server's final reply to the message, code included. */
  response: string
}
