export type {
  AuthMechanism,
  Credentials,
  PasswordCredentials,
  TokenCredentials,
} from './auth/index.js'
export { SmtpClient } from './client.js'
export {
  type RecipientRejection,
  SmtpError,
  type SmtpErrorInit,
  type SmtpHint,
  type SmtpStage,
} from './errors.js'
export {
  CONNECT_OPTION_KEYS,
  defaultPort,
  type SmtpConnectOptions,
  type SmtpLogEntry,
  type SmtpTimeouts,
} from './options.js'
export type { Capabilities } from './protocol/capabilities.js'
export { assertAddress } from './protocol/commands.js'
export type { DsnOptions, Envelope, SendResult, SmtpSendOptions } from './protocol/envelope.js'
export type { Security } from './protocol/types.js'
export { cloudflareSockets } from './socket/cloudflare.js'
export { nodeSockets } from './socket/node.js'
export type {
  SmtpSocket,
  SocketAdapter,
  SocketConnectOptions,
  SocketHandlers,
  TlsOptions,
} from './socket/types.js'
