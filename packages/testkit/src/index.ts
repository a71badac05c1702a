export type { AiosmtpdOptions, AiosmtpdServer, ReceivedMessage } from './aiosmtpd.js'
export { startAiosmtpd } from './aiosmtpd.js'
export { type AuthRelay, startAuthRelay } from './auth-relay.js'
export type { Certificates } from './certs.js'
export { makeCertificates } from './certs.js'
export { parseWithMailparser } from './mailparser.js'
export { attachmentPartLines } from './messages.js'
export type { ParsedAddress, ParsedAttachment, ParsedMessage, PythonParser } from './parse.js'
export { parseWithPython, pythonParser } from './parse.js'
export type { PostfixOptions, PostfixServer } from './postfix.js'
export { startPostfix } from './postfix.js'
export type { ProcessResult } from './process.js'
export { finished, lastJsonLine, run } from './process.js'
export type { ProxyOptions, ProxyServer, TinyproxyOptions } from './proxies.js'
export { startMicrosocks, startTinyproxy } from './proxies.js'
export { PYTHON } from './python.js'
export { RawClient } from './raw-client.js'
export type { RedisServer } from './redis.js'
export { startRedis } from './redis.js'
export type { ScriptedConnection, ScriptedServer, ScriptedServerOptions } from './scripted.js'
export { startScriptedServer } from './scripted.js'
export { refusingPort, startRejectingServer } from './servers.js'
export type {
  SinkContext,
  SinkDecision,
  SinkFault,
  SinkFaultContext,
  SinkOptions,
  SinkStep,
  SinkTransaction,
  SmtpSink,
} from './sink.js'
export { startSmtpSink } from './sink.js'
export { type Stoppable, stopAfterEach } from './stoppers.js'
export { checkStream, type StreamCheck } from './stream-check.js'
export type { StreamSink, StreamSinkEnvelope, StreamSinkOptions } from './stream-sink.js'
export { DataUnstuffer, startStreamSink } from './stream-sink.js'
export type {
  RefreshClient,
  ServiceAccount,
  TokenEndpoint,
  TokenEndpointOptions,
  TokenRequestRecord,
} from './token-endpoint.js'
export { startTokenEndpoint } from './token-endpoint.js'
