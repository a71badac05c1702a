/**
 * A mailbox as the inbox shows it: the display name decoded, absent when there is none.
 *
 * @example
 * const alice: InboxAddress = { name: 'Alice Liddell', address: 'alice@example.com' }
 */
export interface InboxAddress {
  name?: string
  address: string
}

/**
 * One attachment or inline part of a message. Its index in `InboxMessage.attachments` is the
 * `:index` of `GET /api/messages/:id/attachments/:index`.
 *
 * @example
 * const logo: InboxAttachment = { filename: 'logo.png', contentType: 'image/png', size: 1830, cid: 'logo', disposition: 'inline' }
 */
export interface InboxAttachment {
  filename?: string
  /** Lower-case `type/subtype`. */
  contentType: string
  /** Decoded octets. */
  size: number
  /** The Content-ID without angle brackets, for parts an HTML body shows as `cid:...`. */
  cid?: string
  /** The Content-Disposition token (`attachment`, `inline`), when the part has one. */
  disposition?: string
}

/**
 * A header field for display: the name as written, the value unfolded and its encoded words
 * (RFC 2047) decoded.
 *
 * @example
 * const subject: InboxHeader = { name: 'Subject', value: 'Café' }
 */
export interface InboxHeader {
  name: string
  value: string
}

/**
 * A received message, parsed. The same JSON in the library, the HTTP API and the event stream.
 *
 * @example
 * const [latest]: InboxMessage[] = await inbox.messages({ to: 'bob@example.org' })
 * console.log(latest.subject, latest.from.address, latest.attachments.length)
 */
export interface InboxMessage {
  /** Stable id, sortable by arrival (`20261128T201050123Z-ab12cd`). */
  id: string
  /** ISO 8601 arrival time. */
  receivedAt: string
  /** The SMTP envelope: MAIL FROM and every RCPT TO (Bcc recipients included). */
  envelope: { from: string; to: string[] }
  /** The first From mailbox; `address` is empty when the message has no From. */
  from: InboxAddress
  to: InboxAddress[]
  cc: InboxAddress[]
  /** Decoded; empty when absent. */
  subject: string
  /** The Date field as ISO 8601, or null when it is missing or unreadable. */
  date: string | null
  /** The Message-ID field as written (with angle brackets), or null when absent. */
  messageId: string | null
  text?: string
  html?: string
  /** Every part that is not the text or HTML body, inline (cid) parts included. */
  attachments: InboxAttachment[]
  /** Octets stored: exactly what was received (dot-unstuffed), nothing added. */
  size: number
  /** Every header field of the message, in order. */
  headers: InboxHeader[]
}

/**
 * Which messages to find. Each filter is a case-insensitive substring; several combine with AND.
 * `to` matches the envelope recipients, To and Cc; `from` the envelope sender and From.
 *
 * @example
 * await inbox.messages({ to: 'bob@', subject: 'reset your password' })
 */
export interface InboxFilter {
  to?: string
  from?: string
  subject?: string
}

/**
 * What the inbox announces: a stored message, or a deleted one (one event per message, also
 * when the whole inbox is cleared).
 *
 * @example
 * const stop = inbox.subscribe((e) => { if (e.type === 'message') console.log(e.message.subject) })
 */
export type InboxEvent = { type: 'message'; message: InboxMessage } | { type: 'delete'; id: string }

/**
 * Bounds on what SMTP clients may make the inbox hold.
 *
 * @example
 * const limits: InboxLimits = { maxMessageSize: 10 * 1024 * 1024, maxConnections: 20 }
 */
export interface InboxLimits {
  /**
   * Largest message accepted, in octets; advertised as SIZE (RFC 1870). A larger message is
   * refused with 552 and nothing of it is stored. Default 25 MiB.
   */
  maxMessageSize?: number
  /**
   * Concurrent connections accepted by the SMTP side (more are answered 421 and closed), and
   * by the HTTP side. Default 100.
   */
  maxConnections?: number
}

/**
 * Options of {@link startInbox}.
 *
 * @example
 * const inbox = await startInbox({ dir: ':memory:', smtp: { port: 0 }, http: { port: 0 } })
 */
export interface InboxOptions {
  /** Where messages are kept; default `MAIL_INBOX`, else `.mail/inbox`; `':memory:'` keeps nothing on disk. */
  dir?: string
  /** The SMTP side; default 127.0.0.1:2525 (port 0: any free port). */
  smtp?: { host?: string; port?: number }
  /** The web page and JSON API; default 127.0.0.1:8025 (port 0: any free port); false: none. */
  http?: { host?: string; port?: number } | false
  limits?: InboxLimits
  /** Called when a received message cannot be stored (the client is answered 451 and may retry). */
  onError?: (error: Error) => void
}

/**
 * What {@link InboxOptions.limits} resolve to.
 *
 * @example
 * const limits: ResolvedLimits = { maxMessageSize: 26214400, maxConnections: 100 }
 */
export interface ResolvedLimits {
  maxMessageSize: number
  maxConnections: number
}

/**
 * A running inbox.
 *
 * @example
 * const inbox = await startInbox({ dir: ':memory:', smtp: { port: 0 }, http: false })
 * await sendmail({ from: 'a@example.com', to: 'b@example.org', text: 'Hi' }, inbox.smtpUrl)
 * const message = await inbox.waitFor({ to: 'b@example.org' })
 * await inbox.close()
 */
export interface Inbox {
  /** Where to send: `smtp://127.0.0.1:2525`. */
  readonly smtpUrl: string
  /** The web page and API: `http://127.0.0.1:8025`; undefined with `http: false`. */
  readonly httpUrl: string | undefined
  /** The store folder, or `':memory:'`. */
  readonly dir: string
  /** Stored messages matching `filter`, newest first. */
  messages(filter?: InboxFilter): Promise<InboxMessage[]>
  /**
   * The oldest stored match, else the first to arrive; rejects with an Error naming the filter
   * and the timeout (default 10000 ms), or with the signal's reason.
   */
  waitFor(
    filter?: InboxFilter & { timeoutMs?: number; signal?: AbortSignal },
  ): Promise<InboxMessage>
  /** One stored message by id, or undefined. */
  message(id: string): Promise<InboxMessage | undefined>
  /** A stored message's bytes exactly as received, or undefined. */
  raw(id: string): Promise<Uint8Array | undefined>
  /** Deletes one message; false when it was not stored. */
  delete(id: string): Promise<boolean>
  /** Deletes every message. */
  clear(): Promise<void>
  /** Calls `listener` for every arrival and deletion until the returned function is called. */
  subscribe(listener: (event: InboxEvent) => void): () => void
  /** Stops both sides (open SMTP sessions get a moment to finish) and resolves when closed. */
  close(): Promise<void>
}
