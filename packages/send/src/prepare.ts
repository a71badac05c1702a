import {
  type BuildOptions,
  buildMessageStream,
  composeMessage,
  domainToAscii,
  type MessageInput,
} from '@mail/mime'
import type { DkimOptions, StreamedMessage } from '@mail/mime/dkim'
import { assertAddress, type Envelope } from '@mail/smtp'
import { SendError } from './errors.js'
import type { Submission } from './pool.js'
import { messageIdOf } from './raw.js'
import type { SendMessage } from './types.js'

/**
 * A message validated and ready for the wire, with what its result reports. The body is a
 * string when every part is in memory, else a `StreamedMessage` read only while it is sent
 * (one-shot when a stream or iterable is among its sources: `replayable` false).
 */
export interface PreparedMessage extends Submission {
  body: string | Uint8Array | StreamedMessage
  /** The Message-ID with angle brackets; undefined for a raw message without one. */
  messageId: string | undefined
}

/**
 * Validates and builds a message: every `MimeError` and envelope error is thrown here, before
 * any connection is opened. In-memory content is built into one string (the fast path); a Blob,
 * stream or async iterable makes a streamed message, read only while it is sent. DKIM signing
 * (asynchronous, WebCrypto) comes after, in {@link sign}.
 */
export function prepare(message: SendMessage, build: BuildOptions | undefined): PreparedMessage {
  if (typeof message !== 'object' || message === null) {
    throw new SendError('envelope', 'The message must be an object', { field: 'message' })
  }
  let input: MessageInput = message
  let explicit: Envelope | undefined
  if (message.envelope !== undefined) {
    const { envelope, ...rest } = message
    explicit = checkEnvelope(envelope, build?.smtputf8 === true)
    input = rest
  }
  const lazy = hasLazySource(input)
  const built = lazy ? buildMessageStream(input, build) : composeMessage(input, build)
  const envelope: Envelope = explicit ?? { from: built.envelope.from, to: built.envelope.to }
  if (envelope.to.length === 0) {
    throw new SendError('envelope', 'The message has no recipients: to, cc and bcc are empty', {
      field: 'to',
    })
  }
  if (built.smtputf8) envelope.smtputf8 = true
  const { messageId } = built
  if ('raw' in built) return { envelope, body: built.raw, replayable: true, messageId }
  if (built.replayable) return { envelope, body: built, replayable: true, messageId }
  // A one-shot message may be tried again only while no attempt has begun to read it.
  let read = false
  const body: StreamedMessage = {
    ...built,
    stream: () => {
      read = true
      return built.stream()
    },
  }
  return { envelope, body, replayable: false, bodyRead: () => read, messageId }
}

/**
 * Whether an attachment's content is read only when sent (a Blob, a stream, an async iterable):
 * anything but a string or bytes. The builder checks what it really is.
 */
function hasLazySource(input: MessageInput): boolean {
  const attachments: unknown = input.attachments
  if (!Array.isArray(attachments)) return false
  return attachments.some((a: unknown) => {
    const content = (a as { content?: unknown } | null)?.content
    return (
      typeof content === 'object' &&
      content !== null &&
      !ArrayBuffer.isView(content) &&
      !(content instanceof ArrayBuffer)
    )
  })
}

/**
 * Checks a ready message and its envelope for `sendRaw`: the same envelope rules as an explicit
 * envelope of `send`; the bytes go out as they are.
 */
export function prepareRaw(envelope: unknown, raw: unknown, smtputf8: boolean): PreparedMessage {
  const checked = checkEnvelope(envelope, smtputf8)
  if (typeof raw !== 'string' && !(raw instanceof Uint8Array)) {
    throw new SendError('message', 'raw must be a string or a Uint8Array', { field: 'raw' })
  }
  if (raw.length === 0) throw new SendError('message', 'raw is empty', { field: 'raw' })
  return { envelope: checked, body: raw, replayable: true, messageId: messageIdOf(raw) }
}

const ENVELOPE_FIELDS = ['from', 'to', 'dsn', 'smtputf8']

function checkEnvelope(envelope: unknown, smtputf8: boolean): Envelope {
  if (typeof envelope !== 'object' || envelope === null) {
    throw new SendError('envelope', 'envelope must be { from: string; to: string[] }', {
      field: 'envelope',
    })
  }
  for (const key of Object.keys(envelope)) {
    if (!ENVELOPE_FIELDS.includes(key)) {
      throw new SendError(
        'envelope',
        `envelope.${key} is not an envelope field (${ENVELOPE_FIELDS.join(', ')})`,
        { field: `envelope.${key}` },
      )
    }
  }
  const { from, to, dsn, smtputf8: utf8 } = envelope as Partial<Record<keyof Envelope, unknown>>
  if (utf8 !== undefined && typeof utf8 !== 'boolean') {
    throw new SendError('envelope', 'envelope.smtputf8 must be true or false', {
      field: 'envelope.smtputf8',
    })
  }
  checkPath(from, 'envelope.from', true)
  if (!Array.isArray(to) || to.length === 0) {
    throw new SendError('envelope', 'envelope.to must be a non-empty array of addresses', {
      field: 'envelope.to',
    })
  }
  to.forEach((address, i) => {
    checkPath(address, `envelope.to[${i}]`, false)
  })
  const unicode = smtputf8 || utf8 === true
  const checked: Envelope = unicode
    ? { from: from as string, to: [...(to as string[])] }
    : {
        from: asciiDomain(from as string, 'envelope.from'),
        to: (to as string[]).map((address, i) => asciiDomain(address, `envelope.to[${i}]`)),
      }
  // DSN requests are checked by the SMTP client against what the server offers.
  if (dsn !== undefined) checked.dsn = dsn as NonNullable<Envelope['dsn']>
  if (utf8 === true) checked.smtputf8 = true
  return checked
}

/**
 * A Unicode domain after an ASCII local part in Punycode, as in the derived envelope (without
 * SMTPUTF8 the path must be ASCII; a Unicode local part needs SMTPUTF8 and is left as it is).
 */
const NON_ASCII = /[^\x00-\x7f]/

function asciiDomain(address: string, field: string): string {
  const at = address.lastIndexOf('@')
  const local = address.slice(0, at)
  const domain = address.slice(at + 1)
  if (at < 0 || domain.startsWith('[') || !NON_ASCII.test(domain) || NON_ASCII.test(local)) {
    return address
  }
  try {
    return `${local}@${domainToAscii(domain)}`
  } catch (error) {
    throw new SendError('envelope', `${field}: ${(error as Error).message}`, { field })
  }
}

/**
 * RFC 5321 section 4.1.2: a path is a bare address; the reverse-path may be empty (null sender,
 * for bounces). The same check as the SMTP client's, so every transport accepts the same
 * envelopes.
 */
function checkPath(address: unknown, field: string, mayBeEmpty: boolean): void {
  if (typeof address !== 'string') {
    throw new SendError('envelope', `${field} must be a string`, { field })
  }
  try {
    assertAddress(address, field, mayBeEmpty)
  } catch (error) {
    throw new SendError(
      'envelope',
      `${(error as Error).message} (a bare address like user@example.com)`,
      { field },
    )
  }
}

type Signer = typeof import('@mail/mime/dkim').signDkim
let signer: Promise<Signer> | undefined

/** Loaded on first use, so importing @mail/send without DKIM does not load the signer. */
function loadSigner(): Promise<Signer> {
  signer ??= import('@mail/mime/dkim').then((m) => m.signDkim)
  return signer
}

const utf8 = new TextDecoder('utf-8', { fatal: true })

/**
 * Adds one DKIM-Signature per options object (RFC 6376), in order: the last one given ends up on
 * top. A bad key rejects with `MimeError`; the message is never sent unsigned. Bytes (from
 * `sendRaw`) are signed as UTF-8 text; other bytes are refused rather than signed wrongly. A
 * streamed message is signed in two passes per signature (its body hash, then its output as it
 * is sent); a one-shot one is a `MimeError` before anything is read.
 */
export async function sign(
  body: PreparedMessage['body'],
  dkim: readonly DkimOptions[],
): Promise<PreparedMessage['body']> {
  if (dkim.length === 0) return body
  if (typeof body === 'object' && !(body instanceof Uint8Array)) {
    const signDkim = await loadSigner()
    let signed = body
    for (const options of dkim) signed = await signDkim(signed, options)
    return signed
  }
  let text: string
  if (typeof body === 'string') text = body
  else {
    try {
      text = utf8.decode(body)
    } catch {
      throw new SendError('message', 'DKIM signs UTF-8 messages; raw is not valid UTF-8', {
        field: 'raw',
      })
    }
  }
  const signDkim = await loadSigner()
  for (const options of dkim) text = await signDkim(text, options)
  return text
}
