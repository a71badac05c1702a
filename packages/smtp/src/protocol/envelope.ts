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
