/** composeMessage: validate once, build once; buildMessage and getEnvelope wrap it. */
import { domainToAscii } from './address/idna.js'
import { isAscii } from './encode/utf8.js'
import { envelopeOf } from './envelope.js'
import { MimeError } from './errors.js'
import { messageHeaders } from './header/message.js'
import { msgId } from './header/msg-id.js'
import { randomHex } from './random.js'
import { serializeMessage } from './serialize.js'
import { buildTree } from './tree.js'
import type { BuildOptions, ComposedMessage, Envelope, MessageInput } from './types.js'
import { type NormalizedMessage, validateMessage } from './validate.js'

/** The generated Message-ID: `<random@sender-domain>`, the domain always in ASCII. */
function generateMessageId(message: NormalizedMessage, options: BuildOptions): string {
  const author = message.sender ?? message.from[0]!
  let domain = author.domain
  try {
    domain = domainToAscii(domain)
  } catch {
    // Only reachable with SMTPUTF8 and a domain that has no ASCII form: keep it as written.
  }
  const random = options.messageIdRandom === undefined ? randomHex(16) : options.messageIdRandom()
  try {
    return msgId(`${random}@${domain}`, 'messageIdRandom')
  } catch (err) {
    if (err instanceof MimeError) throw err
    throw new MimeError('messageIdRandom', 'must return a string')
  }
}

/**
 * Validates `input` once and builds the message once, returning the raw message with its
 * envelope, Message-ID and whether it needs SMTPUTF8 or 8-bit transport.
 *
 * @example
 * ```ts
 * const { raw, envelope, messageId } = composeMessage({
 *   from: 'alice@example.com', to: 'bob@example.org', subject: 'Hi', text: 'Hello',
 * })
 * ```
 * @throws MimeError naming the field at fault, for any bad input.
 */
export function composeMessage(input: MessageInput, options: BuildOptions = {}): ComposedMessage {
  const message = validateMessage(input, options)
  const messageId = message.messageId ?? generateMessageId(message, options)
  const headers = messageHeaders(message, messageId)
  const raw = serializeMessage(headers, buildTree(message), options.boundary)
  const envelope = envelopeOf(message)
  // Raw UTF-8 appears only in addresses (RFC 6532) and in attached UTF-8 messages (8bit);
  // every other body is 7bit, quoted-printable or base64.
  const eightBit =
    (message.smtputf8 && !headers.every(isAscii)) ||
    message.attachments.some((a) => a.message?.encoding === '8bit')
  const smtputf8 =
    eightBit || (message.smtputf8 && !(isAscii(envelope.from) && envelope.to.every(isAscii)))
  return { raw, messageId, envelope, smtputf8, eightBit }
}

/**
 * Builds the whole message: headers and body, CRLF line endings, every line at most 998
 * octets, ready for SMTP DATA or a raw-message API.
 *
 * @example buildMessage({ from: 'alice@example.com', to: 'bob@example.org', text: 'Hi' })
 * @throws MimeError naming the field at fault, for any bad input.
 */
export function buildMessage(input: MessageInput, options?: BuildOptions): string {
  return composeMessage(input, options).raw
}

/**
 * The SMTP envelope of a message: from = sender ?? from; to = to + cc + bcc, de-duplicated.
 * Bare addresses, Unicode domains in Punycode unless `smtputf8` is set.
 *
 * @example getEnvelope({ from: 'a@example.com', to: 'b@example.org', bcc: 'c@example.net' })
 * // { from: 'a@example.com', to: ['b@example.org', 'c@example.net'] }
 */
export function getEnvelope(input: MessageInput, options: BuildOptions = {}): Envelope {
  return envelopeOf(validateMessage(input, options))
}
