// RFC 6376 sections 3.7 and 5: the body hash and the DKIM-Signature header field.
import { base64Encode } from '../encode/base64.js'
import { utf8Encode } from '../encode/utf8.js'
import { CRLF } from '../policy.js'
import { BodyCanonicalizer, headerCanonicalizer } from './canonicalize.js'
import { dkimError } from './error.js'
import { selectHeaders } from './headers.js'
import { type DkimAlgorithm, loadSigningKey, type SigningKey } from './key.js'
import type { HeaderField } from './message.js'
import type { DkimConfig } from './options.js'
import { createSha256 } from './sha256.js'
import { appendSignatureValue, formatSignaturePrefix } from './signature.js'

/** The canonical body's hash and length (RFC 6376 3.7 and the l= tag). */
export interface BodyDigest {
  hash: Uint8Array
  length: number
}

/**
 * The digest of a body held whole in memory: canonicalized, then hashed by WebCrypto, which is
 * native on every runtime (RFC 6376 3.4.3, 3.4.4, 3.7).
 */
export async function wholeBodyDigest(config: DkimConfig, body: Uint8Array): Promise<BodyDigest> {
  const canonical = new BodyCanonicalizer(config.body)
  const head = canonical.update(body)
  const tail = canonical.end()
  const bytes = new Uint8Array(head.length + tail.length)
  bytes.set(head)
  bytes.set(tail, head.length)
  return { hash: await sha256(bytes), length: canonical.length }
}

/**
 * Hashes a body fed in chunks, canonicalized on the way, for a body too large to hold: the
 * incremental SHA-256 of ./sha256.ts, as WebCrypto hashes only whole buffers.
 */
export class BodyHasher {
  private readonly hash = createSha256()
  private readonly canonical: BodyCanonicalizer

  constructor(config: DkimConfig) {
    this.canonical = new BodyCanonicalizer(config.body)
  }

  update(chunk: Uint8Array): void {
    this.hash.update(this.canonical.update(chunk))
  }

  digest(): BodyDigest {
    this.hash.update(this.canonical.end())
    return { hash: this.hash.digest(), length: this.canonical.length }
  }
}

async function sha256(bytes: Uint8Array<ArrayBuffer>): Promise<Uint8Array<ArrayBuffer>> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', bytes))
}

async function signHeaderHash(
  key: SigningKey,
  data: Uint8Array<ArrayBuffer>,
): Promise<Uint8Array<ArrayBuffer>> {
  if (key.algorithm === 'rsa-sha256') {
    // RFC 6376 3.3.1: RSASSA-PKCS1-v1_5 with SHA-256 over the canonicalized header data.
    return new Uint8Array(await crypto.subtle.sign('RSASSA-PKCS1-v1_5', key.key, data))
  }
  // RFC 8463 section 3: PureEdDSA over the SHA-256 hash of the canonicalized header data.
  return new Uint8Array(await crypto.subtle.sign('Ed25519', key.key, await sha256(data)))
}

function signingTime(now: () => Date): number {
  const date = now()
  const ms = date instanceof Date ? date.getTime() : Number.NaN
  if (!Number.isFinite(ms) || ms < 0) throw dkimError('now', 'must return a valid Date')
  return Math.floor(ms / 1000)
}

/** The private key, imported (cached), and checked against an explicit algorithm. */
export async function signingKey(config: DkimConfig): Promise<SigningKey> {
  const key = await loadSigningKey(config.privateKey)
  const algorithm: DkimAlgorithm = config.algorithm ?? key.algorithm
  if (algorithm !== key.algorithm) {
    const kind = key.algorithm === 'rsa-sha256' ? 'an RSA' : 'an Ed25519'
    throw dkimError('algorithm', `'${algorithm}' does not match privateKey, which is ${kind} key`)
  }
  return key
}

/**
 * The DKIM-Signature header field (without its CRLF) over the message's header fields and its
 * body digest.
 */
export async function signatureField(
  config: DkimConfig,
  key: SigningKey,
  fields: readonly HeaderField[],
  body: BodyDigest,
): Promise<string> {
  const t = signingTime(config.now)
  const selection = selectHeaders(fields, config.headers, config.oversign, config.signAbsent)
  const prefix = formatSignaturePrefix({
    a: key.algorithm,
    c: config.canonicalization,
    d: config.domain,
    s: config.selector,
    t,
    x: config.expiresIn === undefined ? undefined : t + Math.ceil(config.expiresIn),
    l: config.bodyLength ? body.length : undefined,
    h: selection.names,
    bh: base64Encode(body.hash),
  })
  // RFC 6376 3.7: the selected fields, each with CRLF, then this signature field with b= empty
  // and no final CRLF, all in the header canonicalization.
  const canonicalize = headerCanonicalizer(config.header)
  let data = ''
  for (const field of selection.fields) data += canonicalize(field.text) + CRLF
  data += canonicalize(prefix.text)
  const signature = await signHeaderHash(key, utf8Encode(data) as Uint8Array<ArrayBuffer>)
  return appendSignatureValue(prefix, base64Encode(signature))
}

/** RFC 6376 5.4: a message without From cannot be signed. */
export function requireFrom(fields: readonly HeaderField[], field: string): void {
  if (!fields.some((f) => f.name === 'from')) {
    throw dkimError(field, 'the message has no From header field, which DKIM must sign')
  }
}
