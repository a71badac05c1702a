/**
 * An address: `'alice@example.com'`, `'Alice <alice@example.com>'`,
 * `'"Doe, Jane" <jane@example.com>'`, a comma-separated list of those (groups such as
 * `'undisclosed-recipients:;'` where RFC 5322 allows an address-list), or an object.
 *
 * @example const to: AddressLike = { name: 'Zoë Müller', address: 'zoe@bücher.example' }
 */
export type AddressLike = string | { name?: string; address: string }

/**
 * A file attached to the message, or an inline part referenced from the html as `cid:<cid>`.
 *
 * @example { filename: 'logo.png', content: pngBytes, cid: 'logo@example.com' }
 */
export interface Attachment {
  filename?: string
  /** A string is UTF-8 text; bytes are kept exactly. */
  content: string | Uint8Array
  /** Default: looked up from the filename with mime-types, else application/octet-stream. */
  contentType?: string
  /** Content-ID (with or without <>), for an inline part referenced from the html as `cid:<cid>`. */
  cid?: string
  /** Default: 'inline' when `cid` is set, else 'attachment'. */
  disposition?: 'attachment' | 'inline'
}

/**
 * RFC 2369 List-Unsubscribe, with RFC 8058 one-click (`List-Unsubscribe-Post`) for https URLs.
 *
 * @example { url: 'https://example.com/unsub?u=42', mailto: 'unsub@example.com' }
 */
export interface ListUnsubscribe {
  /** An https (or http) URL the recipient's client may request. */
  url?: string
  /** An address (or `mailto:` URI) to which an unsubscribe message is sent. */
  mailto?: string
  /** Adds `List-Unsubscribe-Post: List-Unsubscribe=One-Click`; default true when `url` is https. */
  oneClick?: boolean
}

/**
 * Everything a message is built from.
 *
 * @example
 * ```ts
 * const input: MessageInput = {
 *   from: 'Alice <alice@example.com>',
 *   to: ['bob@example.org', '"Doe, Jane" <jane@example.net>'],
 *   subject: 'Grüße',
 *   text: 'Hello',
 *   html: '<p>Hello <img src="cid:logo"></p>',
 *   attachments: [{ filename: 'logo.png', content: png, cid: 'logo' }],
 * }
 * ```
 */
export interface MessageInput {
  from: AddressLike
  /** Required when `from` holds several addresses; it is then the envelope sender too. */
  sender?: AddressLike
  to?: AddressLike | AddressLike[]
  cc?: AddressLike | AddressLike[]
  /** In the envelope, never in the headers. */
  bcc?: AddressLike | AddressLike[]
  replyTo?: AddressLike | AddressLike[]
  subject?: string
  text?: string
  html?: string
  attachments?: Attachment[]
  /** Custom header fields; an array value writes the field once per element. */
  headers?: Record<string, string | string[]>
  /** Default: now (see BuildOptions.now). */
  date?: Date
  /** With or without <>; generated as `<random@sender-domain>` when absent. */
  messageId?: string
  /** One or more message IDs, with or without <>, separated by whitespace. */
  inReplyTo?: string
  references?: string | string[]
  /** List-Unsubscribe: a URL string, or URL and/or mailto with the one-click choice. */
  listUnsubscribe?: string | ListUnsubscribe
}

/**
 * Build choices. The generators make the output deterministic for tests and snapshots.
 *
 * @example
 * ```ts
 * buildMessage(input, {
 *   boundary: (i) => `boundary-${i}`,
 *   messageIdRandom: () => 'fixed',
 *   now: () => new Date('2026-11-28T20:10:50Z'),
 * })
 * ```
 */
export interface BuildOptions {
  /** Allow UTF-8 in addresses (RFC 6532): Unicode domains stay Unicode, Unicode local parts are allowed. Default false. */
  smtputf8?: boolean
  /** Boundary for the n-th multipart, counted in output order from 0 (the outermost). At most 70 characters. */
  boundary?: (index: number) => string
  /** The random left part of a generated Message-ID. */
  messageIdRandom?: () => string
  /** Clock for the Date header when the input has no `date`. */
  now?: () => Date
}

/** The envelope: bare addresses, sender and de-duplicated recipients. */
export interface Envelope {
  from: string
  to: string[]
}

/** A built message with what a transport needs to know about it. */
export interface ComposedMessage {
  /** The message, the same string buildMessage returns. */
  raw: string
  /** With angle brackets, e.g. '<abc@example.com>'. */
  messageId: string
  /** The same as getEnvelope. */
  envelope: Envelope
  /** True when an envelope address or a header needs SMTPUTF8 (RFC 6531). */
  smtputf8: boolean
  /** True when raw contains any octet above 127. */
  eightBit: boolean
}
