import { nodeSockets as nodeOrStandIn } from '#node-sockets'
import type { SocketAdapter } from './socket/types.js'

export type {
  AuthMechanism,
  Credentials,
  PasswordCredentials,
  TokenContext,
  TokenCredentials,
  TokenProvider,
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
export type {
  DsnOptions,
  Envelope,
  SendProgress,
  SendResult,
  SmtpSendOptions,
} from './protocol/envelope.js'
export type { RawMessage, StreamSource } from './protocol/stream.js'
export type { Security } from './protocol/types.js'
export { cloudflareSockets } from './socket/cloudflare.js'
export type {
  ProxyEndpoint,
  SmtpSocket,
  SocketAdapter,
  SocketConnectOptions,
  SocketHandlers,
  TlsOptions,
} from './socket/types.js'

/**
 * Sockets over Node's `net` and `tls` modules: Node 20+, Bun and Deno (also `@mail/smtp/node`).
 * In the build for Workers and browsers (the workerd, worker and browser export conditions) a
 * stand-in that refuses to connect, so that such bundles carry no Node built-in.
 *
 * @example
 * await SmtpClient.connect({ host: 'smtp.example.com', socket: nodeSockets })
 */
export const nodeSockets: SocketAdapter = nodeOrStandIn
