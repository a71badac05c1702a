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
export type {
  DsnOptions,
  Envelope,
  RecipientRejection,
  SendProgress,
  SmtpConnectOptions,
  SmtpLogEntry,
} from '@mail/smtp'
export { SmtpError } from '@mail/smtp'
export { SendError, type SendErrorKind } from './errors.js'
export { classifyFailure, type FailureKind } from './failure.js'
export { serverOf } from './options.js'
export { sendmail } from './sendmail.js'
export {
  createTestTransport,
  type TestMessage,
  type TestTransport,
  type TestTransportOptions,
} from './test-transport.js'
export { createTransport } from './transport.js'
export type {
  MessageSource,
  PoolOptions,
  RawSendInfo,
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
export { parseSmtpUrl, URL_OPTIONS } from './url.js'
