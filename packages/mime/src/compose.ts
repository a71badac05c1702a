/**
 * Validate once, serialize once: composeMessage (and buildMessage) join the pieces into a
 * string, buildMessageStream streams the same pieces; getEnvelope only validates.
 */
import { domainToAscii } from './address/idna.js'
import { describeSource, isOneShot } from './content.js'
import { isAscii } from './encode/utf8.js'
import { envelopeOf } from './envelope.js'
import { MimeError } from './errors.js'
import { messageHeaders } from './header/message.js'
import { msgId } from './header/msg-id.js'
import { randomHex } from './random.js'
import { joinPieces, piecesSize, serializeMessage } from './serialize.js'
import { streamPieces } from './stream.js'
import { type BodyPiece, buildTree } from './tree.js'
import type {
  BuildOptions,
  ComposedMessage,
  Envelope,
  MessageInput,
  StreamedMessage,
} from './types.js'
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

/** A validated message serialized into pieces, with what a transport needs to know. */
interface Composition {
  pieces: BodyPiece[]
  messageId: string
  envelope: Envelope
  smtputf8: boolean
  eightBit: boolean
}

function compose(message: NormalizedMessage, options: BuildOptions): Composition {
  const messageId = message.messageId ?? generateMessageId(message, options)
  const headers = messageHeaders(message, messageId)
  const pieces = serializeMessage(headers, buildTree(message), options.boundary)
  const envelope = envelopeOf(message)
  // Raw UTF-8 appears only in addresses (RFC 6532) and in attached UTF-8 messages (8bit);
  // every other body is 7bit, quoted-printable or base64.
  const eightBit =
    (message.smtputf8 && !headers.every(isAscii)) ||
    message.attachments.some((a) => a.message?.encoding === '8bit')
  const smtputf8 =
    eightBit || (message.smtputf8 && !(isAscii(envelope.from) && envelope.to.every(isAscii)))
  return { pieces, messageId, envelope, smtputf8, eightBit }
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
 * @throws MimeError naming the field at fault, for any bad input; also for an attachment whose
 * content is a Blob or a stream (see {@link buildMessageStream}).
 */
export function composeMessage(input: MessageInput, options: BuildOptions = {}): ComposedMessage {
  const message = validateMessage(input, options)
  for (const a of message.attachments) {
    if (a.source === undefined) continue
    throw new MimeError(
      `${a.field}.content`,
      `is ${describeSource(a.source)}, which is read only when the message is streamed: use buildMessageStream(input) (buildMessage and composeMessage take strings and Uint8Arrays)`,
    )
  }
  const { pieces, messageId, envelope, smtputf8, eightBit } = compose(message, options)
  return { raw: joinPieces(pieces), messageId, envelope, smtputf8, eightBit }
}

/**
 * Validates `input` at once, exactly as buildMessage does (the same MimeErrors, thrown here),
 * and returns the message as a stream: attachments may be Blobs, ReadableStreams or async
 * iterables, read only as the stream is read, base64-encoded on the fly, so a message of any
 * size takes a bounded amount of memory. For in-memory input (and the same BuildOptions
 * generators) the stream's octets are exactly buildMessage's string as UTF-8.
 *
 * @example
 * ```ts
 * import { openAsBlob } from 'node:fs'
 *
 * const message = buildMessageStream({
 *   from: 'alice@example.com', to: 'bob@example.org', subject: 'The video', text: 'Attached.',
 *   attachments: [{ filename: 'talk.mp4', content: await openAsBlob('talk.mp4') }],
 * })
 * console.log(message.size) // known before anything is read: every source is sized
 * await message.stream().pipeTo(destination)
 * ```
 * @throws MimeError naming the field at fault, for any bad input.
 */
export function buildMessageStream(
  input: MessageInput,
  options: BuildOptions = {},
): StreamedMessage {
  const message = validateMessage(input, options)
  const { pieces, messageId, envelope, smtputf8, eightBit } = compose(message, options)
  const oneShot = message.attachments.find((a) => isOneShot(a.source))
  let streamed = false
  return {
    messageId,
    envelope,
    size: piecesSize(pieces),
    replayable: oneShot === undefined,
    smtputf8,
    eightBit,
    // Every piece is CRLF-terminated: header fields as written, text bodies through toCrlf,
    // base64 lines by the line encoder (the stream tests check it for random messages).
    crlf: true,
    stream() {
      if (oneShot !== undefined) {
        if (streamed) {
          throw new MimeError(
            `${oneShot.field}.content`,
            `is ${describeSource(oneShot.source!)}, which can be read once and was read by an earlier stream() of this message; give a Blob or bytes to read a message again`,
          )
        }
        streamed = true
      }
      return streamPieces(pieces)
    },
  }
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
