/**
 * @mail/mime: an RFC 5322 / MIME message builder with only Web APIs.
 * @packageDocumentation
 */
export { domainToAscii } from './address/idna.js'
export { buildMessage, buildMessageStream, composeMessage, getEnvelope } from './compose.js'
export { MimeError } from './errors.js'
export type {
  AddressLike,
  Attachment,
  BuildOptions,
  ComposedMessage,
  Envelope,
  ListUnsubscribe,
  MessageInput,
  StreamedMessage,
} from './types.js'
