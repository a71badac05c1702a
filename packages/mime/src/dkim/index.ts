// @mail/mime/dkim: DKIM signing (RFC 6376, RFC 8301, RFC 8463) on WebCrypto alone.
export type { CanonicalizationAlgorithm } from './canonicalize.js'
export { DEFAULT_SIGNED_HEADERS } from './headers.js'
export type { DkimAlgorithm } from './key.js'
export type { DkimCanonicalization, DkimOptions } from './options.js'
export { signDkim } from './sign.js'
