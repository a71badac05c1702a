/**
 * Edge validation, in one place: every check on user input happens here, once. Later stages
 * (tree, serializer, envelope) trust what this returns.
 */
import { mailboxesOf, normalizeAddresses } from './address/normalize.js'
import { type AddressEntry, isGroup, type Mailbox } from './address/types.js'
import { type NormalizedAttachment, normalizeAttachment } from './attachment.js'
import { isOneShot } from './content.js'
import { assertSingleLine, assertString, MimeError } from './errors.js'
import { msgId, msgIdList } from './header/msg-id.js'
import { assertKnownKeys, LIST_UNSUBSCRIBE_KEYS, MESSAGE_KEYS } from './keys.js'
import type { BuildOptions, ListUnsubscribe, MessageInput } from './types.js'

/** A message after validation. */
/**
 * Every field is present (undefined when not given), so every message has one object shape:
 * V8's optimised code for the builder depends on that shape, and a shape that only dead
 * objects had (a field added afterwards) is dropped by a full collection, throwing that code
 * away; the next message then ran 10-20x slower while the code was optimised again.
 */
export interface NormalizedMessage {
  smtputf8: boolean
  from: Mailbox[]
  sender: Mailbox | undefined
  to: AddressEntry[]
  cc: AddressEntry[]
  bcc: AddressEntry[]
  replyTo: AddressEntry[]
  subject: string | undefined
  text: string | undefined
  html: string | undefined
  attachments: NormalizedAttachment[]
  /** Custom fields in input order: [name as given, value]. */
  headers: [string, string][]
  date: Date
  /** With angle brackets; undefined means "generate one". */
  messageId: string | undefined
  inReplyTo: string[] | undefined
  references: string[] | undefined
  listUnsubscribe: { uris: string[]; oneClick: boolean } | undefined
}

/** RFC 5322 section 3.6.8: ftext is printable ASCII except ':'. */
const FIELD_NAME = /^[\x21-\x39\x3b-\x7e]+$/
/** Fields this builder writes itself; a custom copy would duplicate or contradict them. */
const STRUCTURED = new Set([
  'from',
  'sender',
  'to',
  'cc',
  'bcc',
  'reply-to',
  'subject',
  'date',
  'message-id',
  'mime-version',
])

function singleMailbox(entries: AddressEntry[], field: string): Mailbox {
  const first = entries[0]
  if (entries.length !== 1 || first === undefined || isGroup(first)) {
    throw new MimeError(field, 'must be exactly one address')
  }
  return first
}

function optionalText(value: unknown, field: string, singleLine: boolean): string | undefined {
  if (value === undefined) return undefined
  assertString(value, field)
  if (singleLine) assertSingleLine(value, field)
  return value
}

/** RFC 3986 URI characters, ASCII without space, '<', '>' or ','. */
const URI = /^[a-zA-Z][a-zA-Z0-9+.-]*:[\x21-\x2b\x2d-\x3b\x3d\x3f-\x7e]+$/

function listUnsubscribeOf(value: string | ListUnsubscribe) {
  const spec: ListUnsubscribe = typeof value === 'string' ? { url: value } : value
  if (typeof spec !== 'object' || spec === null) {
    throw new MimeError('listUnsubscribe', 'must be a URL or { url?, mailto?, oneClick? }')
  }
  assertKnownKeys(spec, LIST_UNSUBSCRIBE_KEYS, 'listUnsubscribe.')
  const uris: string[] = []
  let https = false
  if (spec.url !== undefined) {
    const url = optionalText(spec.url, 'listUnsubscribe.url', true)!
    if (!/^https?:\/\//i.test(url) || !URI.test(url)) {
      throw new MimeError('listUnsubscribe.url', `"${url.slice(0, 60)}" is not an http(s) URL`)
    }
    https = /^https:/i.test(url)
    uris.push(url)
  }
  if (spec.mailto !== undefined) {
    const raw = optionalText(spec.mailto, 'listUnsubscribe.mailto', true)!
    const mailto = /^mailto:/i.test(raw) ? raw : 'mailto:' + raw
    if (!URI.test(mailto) || !mailto.includes('@')) {
      throw new MimeError('listUnsubscribe.mailto', `"${raw.slice(0, 60)}" is not a mailto address`)
    }
    uris.push(mailto)
  }
  if (uris.length === 0) throw new MimeError('listUnsubscribe', 'needs a url or a mailto')
  const oneClick = spec.oneClick ?? https
  // RFC 8058 section 3.1: one-click needs an HTTPS URI to POST to.
  if (oneClick && !https) throw new MimeError('listUnsubscribe.oneClick', 'needs an https url')
  return { uris, oneClick }
}

function customHeaders(input: MessageInput): [string, string][] {
  const out: [string, string][] = []
  if (input.headers === undefined) return out
  if (typeof input.headers !== 'object' || input.headers === null) {
    throw new MimeError('headers', 'must be an object of name: value')
  }
  const given: Record<string, unknown> = {
    'in-reply-to': input.inReplyTo,
    references: input.references,
    'list-unsubscribe': input.listUnsubscribe,
    'list-unsubscribe-post': input.listUnsubscribe,
  }
  for (const [name, value] of Object.entries(input.headers)) {
    const field = `headers.${name}`
    if (!FIELD_NAME.test(name)) {
      throw new MimeError(field, 'header name must be printable ASCII without spaces or ":"')
    }
    const lower = name.toLowerCase()
    if (STRUCTURED.has(lower) || lower.startsWith('content-') || given[lower] !== undefined) {
      throw new MimeError(field, `${name} is set by the builder; use the message field instead`)
    }
    for (const v of Array.isArray(value) ? value : [value]) {
      assertString(v, field)
      assertSingleLine(v, field)
      out.push([name, v])
    }
  }
  return out
}

/**
 * Validates a MessageInput once, at the edge. Throws MimeError naming the field at fault.
 */
export function validateMessage(input: MessageInput, options: BuildOptions): NormalizedMessage {
  if (typeof input !== 'object' || input === null) throw new MimeError('input', 'must be an object')
  assertKnownKeys(input, MESSAGE_KEYS, '', options.extraKeys)
  const smtputf8 = options.smtputf8 === true
  if (input.from === undefined || input.from === null) throw new MimeError('from', 'is required')
  const from = mailboxesOf(normalizeAddresses(input.from, 'from', false, smtputf8))
  if (from.length === 0) throw new MimeError('from', 'is required')
  const to = normalizeAddresses(input.to, 'to', true, smtputf8)
  const cc = normalizeAddresses(input.cc, 'cc', true, smtputf8)
  const bcc = normalizeAddresses(input.bcc, 'bcc', true, smtputf8)
  const replyTo = normalizeAddresses(input.replyTo, 'replyTo', true, smtputf8)
  const headers = customHeaders(input)
  let sender: Mailbox | undefined
  if (input.sender !== undefined) {
    const entries = normalizeAddresses(input.sender, 'sender', false, smtputf8)
    sender = singleMailbox(entries, 'sender')
  } else if (from.length > 1) {
    // RFC 5322 section 3.6.2: several authors need a Sender naming the one who sent it.
    throw new MimeError('from', 'several From addresses need a sender')
  }
  const subject = optionalText(input.subject, 'subject', true)
  const text = optionalText(input.text, 'text', false)
  const html = optionalText(input.html, 'html', false)
  let attachments: NormalizedAttachment[] = []
  if (input.attachments !== undefined) {
    if (!Array.isArray(input.attachments)) throw new MimeError('attachments', 'must be an array')
    attachments = input.attachments.map(normalizeAttachment)
    const oneShot = attachments.filter((a) => isOneShot(a.source))
    for (const a of oneShot) {
      if (oneShot.find((b) => b.source === a.source) !== a) {
        throw new MimeError(`${a.field}.content`, 'is a stream already given as another attachment')
      }
    }
  }
  const date = input.date ?? options.now?.() ?? new Date()
  if (!(date instanceof Date) || Number.isNaN(date.getTime())) {
    throw new MimeError(input.date === undefined ? 'now' : 'date', 'must be a valid Date')
  }
  // RFC 5322 section 3.3: a four-digit year, 1900 or later.
  const year = date.getUTCFullYear()
  if (year < 1900 || year > 9999) {
    throw new MimeError(
      input.date === undefined ? 'now' : 'date',
      `year ${year} cannot be written in a Date header (1900 to 9999)`,
    )
  }
  const messageId = input.messageId === undefined ? undefined : msgId(input.messageId, 'messageId')
  const inReplyTo =
    input.inReplyTo === undefined ? undefined : msgIdList(input.inReplyTo, 'inReplyTo')
  const refs = input.references
  const references =
    refs === undefined
      ? undefined
      : Array.isArray(refs)
        ? refs.flatMap((r, i) => msgIdList(r, `references[${i}]`))
        : msgIdList(refs, 'references')
  const listUnsubscribe =
    input.listUnsubscribe === undefined ? undefined : listUnsubscribeOf(input.listUnsubscribe)
  return {
    smtputf8,
    from,
    sender,
    to,
    cc,
    bcc,
    replyTo,
    subject,
    text,
    html,
    attachments,
    headers,
    date,
    messageId,
    inReplyTo,
    references,
    listUnsubscribe,
  }
}
