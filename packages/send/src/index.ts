// @mail/send: sendmail(), reusable and pooled SMTP transports, and a test transport.
// One import gives the message input, transport options, results and every error type.

export type {
  AddressLike,
  Attachment,
  BuildOptions,
  ComposedMessage,
  MessageInput,
} from '@mail/mime'
export { MimeError } from '@mail/mime'
export type { DkimOptions } from '@mail/mime/dkim'
export type { RecipientRejection, SmtpConnectOptions } from '@mail/smtp'
export { SmtpError } from '@mail/smtp'
export { SendError, type SendErrorKind } from './errors.js'
export { classifyFailure, type FailureKind } from './retry.js'
export { sendmail } from './sendmail.js'
export {
  createTestTransport,
  type TestMessage,
  type TestTransport,
  type TestTransportOptions,
} from './test-transport.js'
export { createTransport } from './transport.js'
export type {
  EnvelopeInput,
  MessageSource,
  PoolOptions,
  RetryOptions,
  SendInfo,
  SendManyOptions,
  SendManyResult,
  SendMessage,
  SendOptions,
  SmtpOptions,
  SmtpTransportOptions,
  Transport,
  TransportInput,
  VerifyInfo,
} from './types.js'
export { parseSmtpUrl, redactUrl, URL_OPTIONS } from './url.js'
