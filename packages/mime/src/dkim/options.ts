// The public options of signDkim and their validation into a signing configuration.
import type { CanonicalizationAlgorithm } from './canonicalize.js'
import { dkimError } from './error.js'
import { DEFAULT_SIGNED_HEADERS } from './headers.js'
import type { DkimAlgorithm } from './key.js'

/** `header/body` canonicalization pair of RFC 6376 section 3.4 (the `c=` tag). */
export type DkimCanonicalization =
  | 'relaxed/relaxed'
  | 'relaxed/simple'
  | 'simple/relaxed'
  | 'simple/simple'

/**
 * How to sign a message with DKIM (RFC 6376). Only `domain`, `selector` and `privateKey` are
 * required; the public key must be published as a TXT record at
 * `<selector>._domainkey.<domain>`.
 *
 * @example
 * ```ts
 * import { signDkim } from '@mail/mime/dkim'
 *
 * const signed = await signDkim(raw, {
 *   domain: 'example.com',
 *   selector: 'mail2025',
 *   privateKey: process.env.DKIM_KEY!, // "-----BEGIN PRIVATE KEY-----..." (RSA or Ed25519)
 *   expiresIn: 7 * 24 * 3600, // x= one week after t=
 * })
 * ```
 */
export interface DkimOptions {
  /** The signing domain, `d=`: an ASCII DNS name (A-labels for an internationalised domain). */
  domain: string
  /** The selector, `s=`: the key is looked up at `<selector>._domainkey.<domain>`. */
  selector: string
  /**
   * PEM private key: PKCS#8 (`BEGIN PRIVATE KEY`, RSA or Ed25519) or PKCS#1
   * (`BEGIN RSA PRIVATE KEY`). RSA keys need at least 1024 bits (RFC 8301); 2048 is advised.
   */
  privateKey: string
  /** `a=`; by default the key's own algorithm. A key of the other kind is an error. */
  algorithm?: DkimAlgorithm | undefined
  /** `c=`; default `'relaxed/relaxed'`, which survives the rewrapping relays commonly do. */
  canonicalization?: DkimCanonicalization | undefined
  /**
   * Header field names to sign (any case). Must include `from`. Each instance present is
   * signed; a listed name absent from the message is signed as absent, so adding it later breaks
   * the signature. Default: {@link DEFAULT_SIGNED_HEADERS}, those present only.
   */
  headers?: readonly string[] | undefined
  /**
   * Names listed once more in `h=` than they occur, so that an added instance breaks the
   * signature (RFC 6376 8.15). Default `['from']`.
   */
  oversign?: readonly string[] | undefined
  /** Seconds from the signing time until the signature expires: sets `x=`. Default: no `x=`. */
  expiresIn?: number | undefined
  /**
   * Adds `l=` with the length of the body signed. Off by default: it lets anyone append content
   * to the body without breaking the signature (RFC 6376 8.2).
   */
  bodyLength?: boolean | undefined
  /** The clock for `t=` (and `x=`); default `() => new Date()`. For deterministic output. */
  now?: (() => Date) | undefined
}

/** Validated options: what the signer works from. */
export interface DkimConfig {
  domain: string
  selector: string
  privateKey: string
  algorithm: DkimAlgorithm | undefined
  canonicalization: DkimCanonicalization
  header: CanonicalizationAlgorithm
  body: CanonicalizationAlgorithm
  headers: readonly string[]
  signAbsent: boolean
  oversign: readonly string[]
  expiresIn: number | undefined
  bodyLength: boolean
  now: () => Date
}

const CANONICALIZATIONS = ['relaxed/relaxed', 'relaxed/simple', 'simple/relaxed', 'simple/simple']
const ALGORITHMS = ['rsa-sha256', 'ed25519-sha256']
// RFC 6376 3.5 (d=, s=) with RFC 5321 4.1.2 sub-domain: letters, digits, inner hyphens.
const LABEL = '[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?'
const DNS_NAME = new RegExp(`^${LABEL}(?:\\.${LABEL})*$`)
// RFC 5322 3.6.8: a field name is printable ASCII except the colon; RFC 6376 3.2 then leaves no
// way to write a ';' inside the h= tag, so such a name could only forge further tags.
const FIELD_NAME = /^[!-9<-~]+$/

function dnsName(field: 'domain' | 'selector', value: unknown): string {
  if (typeof value !== 'string' || !DNS_NAME.test(value) || value.length > 253) {
    throw dkimError(
      field,
      `${JSON.stringify(value)} is not a valid DNS name (ASCII letters, digits, hyphens and dots; use punycode for Unicode)`,
    )
  }
  return value
}

function fieldNames(field: 'headers' | 'oversign', value: unknown): string[] {
  if (!Array.isArray(value)) throw dkimError(field, 'must be an array of header names')
  const names = new Set<string>()
  for (const name of value) {
    if (typeof name !== 'string' || !FIELD_NAME.test(name)) {
      throw dkimError(field, `contains ${JSON.stringify(name)}, which is not a header field name`)
    }
    names.add(name.toLowerCase())
  }
  return [...names]
}

/** Checks every option and fills the defaults; a MimeError names the first bad option. */
export function resolveOptions(options: DkimOptions): DkimConfig {
  if (typeof options !== 'object' || options === null) {
    throw dkimError('options', 'the DKIM options must be an object')
  }
  const domain = dnsName('domain', options.domain)
  const selector = dnsName('selector', options.selector)
  if (`${selector}._domainkey.${domain}`.length > 253) {
    throw dkimError(
      'selector',
      '<selector>._domainkey.<domain> is longer than a DNS name may be (253)',
    )
  }
  if (typeof options.privateKey !== 'string' || options.privateKey.trim() === '') {
    throw dkimError('privateKey', 'must be a PEM string')
  }
  const { algorithm } = options
  if (algorithm !== undefined && !ALGORITHMS.includes(algorithm)) {
    throw dkimError(
      'algorithm',
      `${JSON.stringify(algorithm)} is not supported; use 'rsa-sha256' or 'ed25519-sha256'`,
    )
  }
  const canonicalization = options.canonicalization ?? 'relaxed/relaxed'
  if (!CANONICALIZATIONS.includes(canonicalization)) {
    throw dkimError(
      'canonicalization',
      `${JSON.stringify(canonicalization)} is not one of ${CANONICALIZATIONS.join(', ')}`,
    )
  }
  const [header, body] = canonicalization.split('/') as [
    CanonicalizationAlgorithm,
    CanonicalizationAlgorithm,
  ]
  const headers =
    options.headers === undefined ? DEFAULT_SIGNED_HEADERS : fieldNames('headers', options.headers)
  // RFC 6376 5.4: the From header field MUST be signed.
  if (!headers.includes('from')) throw dkimError('headers', "must include 'from' (RFC 6376 5.4)")
  const oversign =
    options.oversign === undefined ? ['from'] : fieldNames('oversign', options.oversign)
  const { expiresIn } = options
  if (
    expiresIn !== undefined &&
    !(typeof expiresIn === 'number' && expiresIn > 0 && expiresIn < 1e11)
  ) {
    throw dkimError('expiresIn', 'must be a positive number of seconds')
  }
  if (options.bodyLength !== undefined && typeof options.bodyLength !== 'boolean') {
    throw dkimError('bodyLength', 'must be a boolean')
  }
  if (options.now !== undefined && typeof options.now !== 'function') {
    throw dkimError('now', 'must be a function returning a Date')
  }
  return {
    domain,
    selector,
    privateKey: options.privateKey,
    algorithm,
    canonicalization,
    header,
    body,
    headers,
    signAbsent: options.headers !== undefined,
    oversign,
    expiresIn,
    bodyLength: options.bodyLength ?? false,
    now: options.now ?? (() => new Date()),
  }
}
