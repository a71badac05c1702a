// @mail/mime/dkim: DKIM signing (RFC 6376, RFC 8301, RFC 8463) on WebCrypto, of a message given
// as a string or streamed (StreamedMessage from buildMessageStream, hashed in one pass).

export type { StreamedMessage } from '../types.js'
export type { CanonicalizationAlgorithm } from './canonicalize.js'
export { DEFAULT_SIGNED_HEADERS } from './headers.js'
export type { DkimAlgorithm } from './key.js'
export type { DkimCanonicalization, DkimOptions } from './options.js'
export { signDkim } from './sign.js'
