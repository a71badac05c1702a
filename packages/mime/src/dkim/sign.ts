// RFC 6376 section 5: computing a DKIM signature and prepending it to the message.
import { toBase64 } from './base64.js'
import { bodyCanonicalizer, headerCanonicalizer } from './canonicalize.js'
import { dkimError } from './error.js'
import { selectHeaders } from './headers.js'
import { type DkimAlgorithm, loadSigningKey, type SigningKey } from './key.js'
import { normalizeLineEndings, splitMessage } from './message.js'
import { type DkimOptions, resolveOptions } from './options.js'
import { appendSignatureValue, formatSignaturePrefix } from './signature.js'

const encoder = new TextEncoder()

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

/**
 * Signs a message with DKIM (RFC 6376) and returns it with a `DKIM-Signature` header field
 * prepended. The message is normalised first: bare LF (or CR) line endings become CRLF, a
 * missing final CRLF is added, and a message that is all header gets the empty line that ends
 * the header. The returned message is the normalised one: send it exactly as returned.
 *
 * Rejects with a `MimeError` naming the option at fault (`privateKey`, `algorithm`, `domain`,
 * `selector`, `headers`, `canonicalization`, ...) and never returns an unsigned message.
 *
 * @example
 * ```ts
 * import { buildMessage } from '@mail/mime'
 * import { signDkim } from '@mail/mime/dkim'
 *
 * const raw = buildMessage({ from: 'news@example.com', to: 'bob@example.org', text: 'Hi' })
 * const signed = await signDkim(raw, { domain: 'example.com', selector: 's1', privateKey: pem })
 * ```
 */
export async function signDkim(raw: string, options: DkimOptions): Promise<string> {
  const config = resolveOptions(options)
  if (typeof raw !== 'string') throw dkimError('raw', 'the message to sign must be a string')
  let message = normalizeLineEndings(raw)
  // RFC 5321 4.1.1.4: SMTP ends the data with CRLF anyway. Adding it here means every verifier
  // hashes what a receiver gets; they disagree on WSP at the end of an unterminated last line.
  if (!message.endsWith('\r\n')) message += '\r\n'
  // A message that is all header gets the empty line that ends a header section: the body hash
  // is the same either way, and streaming verifiers (mailauth) only act once they see it.
  if (!message.startsWith('\r\n') && !message.includes('\r\n\r\n')) message += '\r\n'
  const { fields, body } = splitMessage(message)
  if (!fields.some((field) => field.name === 'from')) {
    throw dkimError('raw', 'the message has no From header field, which DKIM must sign')
  }

  const key = await loadSigningKey(config.privateKey)
  const algorithm: DkimAlgorithm = config.algorithm ?? key.algorithm
  if (algorithm !== key.algorithm) {
    const kind = key.algorithm === 'rsa-sha256' ? 'an RSA' : 'an Ed25519'
    throw dkimError('algorithm', `'${algorithm}' does not match privateKey, which is ${kind} key`)
  }

  // RFC 6376 3.7: the body hash covers the canonicalized body, all of it (l= then says so).
  const canonicalBody = encoder.encode(bodyCanonicalizer(config.body)(body))
  const bodyHash = toBase64(await sha256(canonicalBody))

  const t = signingTime(config.now)
  const selection = selectHeaders(fields, config.headers, config.oversign, config.signAbsent)
  const prefix = formatSignaturePrefix({
    a: algorithm,
    c: config.canonicalization,
    d: config.domain,
    s: config.selector,
    t,
    x: config.expiresIn === undefined ? undefined : t + Math.ceil(config.expiresIn),
    l: config.bodyLength ? canonicalBody.length : undefined,
    h: selection.names,
    bh: bodyHash,
  })

  // RFC 6376 3.7: the selected fields, each with CRLF, then this signature field with b= empty
  // and no final CRLF, all in the header canonicalization.
  const canonicalize = headerCanonicalizer(config.header)
  let data = ''
  for (const field of selection.fields) data += `${canonicalize(field.text)}\r\n`
  data += canonicalize(prefix.text)
  const signature = await signHeaderHash(key, encoder.encode(data))

  return `${appendSignatureValue(prefix, toBase64(signature))}\r\n${message}`
}
