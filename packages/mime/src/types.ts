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
 * Nothing opens a file or fetches a URL for you: pass the bytes, or a Blob for a file
 * (`await fs.openAsBlob(path)` in Node and Deno, `Bun.file(path)` in Bun, a `File` in browsers;
 * Workers have no files: pass a `ReadableStream` such as `(await fetch(url)).body` or an R2
 * object's `body`).
 *
 * @example { filename: 'logo.png', content: pngBytes, cid: 'logo@example.com' }
 * @example { filename: 'backup.tar', content: await fs.openAsBlob('backup.tar') }
 */
export interface Attachment {
  filename?: string
  /**
   * A string is UTF-8 text (or base64 or hex, see `encoding`); bytes are kept exactly. A Blob
   * (sized, readable again), a `ReadableStream` or an async iterable of `Uint8Array` (one-shot,
   * unsized) is read only when the message is streamed: use {@link buildMessageStream} for
   * them; buildMessage refuses them. Such a source named `*.eml` is attached as
   * application/octet-stream unless given as bytes (a message/rfc822 part must be checked first).
   */
  content: string | Uint8Array | Blob | ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>
  /**
   * How a string `content` is written: `'base64'` or `'hex'` text decoded (strictly: invalid
   * text is a MimeError) to the octets attached. Without it a string is UTF-8 text.
   */
  encoding?: 'base64' | 'hex'
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
  /**
   * Top-level keys of the input that the caller's own wrapper adds and handles (e.g. a send
   * function's `envelope`). Other keys this package does not know are a MimeError, so that
   * nothing is silently ignored.
   */
  extraKeys?: readonly string[]
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

/**
 * A message streamed rather than built into one string: what {@link buildMessageStream} returns
 * and `signDkim` takes and returns. Everything but `stream()` is known before any source is read.
 *
 * @example
 * ```ts
 * const message = buildMessageStream({
 *   from: 'alice@example.com', to: 'bob@example.org', subject: 'Backup',
 *   attachments: [{ filename: 'backup.tar', content: await fs.openAsBlob('backup.tar') }],
 * })
 * message.size // exact octets (every source here is sized)
 * for await (const chunk of message.stream()) socket.write(chunk)
 * ```
 */
export interface StreamedMessage {
  /** With angle brackets, e.g. '<abc@example.com>'. */
  readonly messageId: string
  /** The same as getEnvelope. */
  readonly envelope: Envelope
  /**
   * The exact octets `stream()` gives, when every source's length is known (strings, bytes,
   * Blobs), so SMTP can declare SIZE before reading; undefined with a stream or iterable source.
   */
  readonly size: number | undefined
  /** False when a one-shot source (a stream or an async iterable) is among the attachments. */
  readonly replayable: boolean
  /** True when an envelope address or a header needs SMTPUTF8 (RFC 6531). */
  readonly smtputf8: boolean
  /** True when the message holds any octet above 127 (needs 8BITMIME or SMTPUTF8). */
  readonly eightBit: boolean
  /**
   * True for every message this package builds: each line of `stream()` ends in CRLF, with no
   * bare CR or LF (RFC 5322 2.1). `@mail/smtp` then only stuffs dots instead of checking every
   * line end, which makes a large message cheaper to send.
   */
  readonly crlf: boolean
  /**
   * The message as UTF-8 octets with CRLF line endings, read from the sources as the stream is
   * read. Each call starts a new stream; on a message that is not replayable, a second call
   * throws a MimeError.
   */
  stream(): ReadableStream<Uint8Array>
}
