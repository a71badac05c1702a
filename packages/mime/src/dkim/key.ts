// Private keys for DKIM: PEM in, WebCrypto CryptoKey out, imported once per PEM string.
import { base64Decode } from '../encode/base64.js'
import {
  DER_INTEGER,
  DER_NULL,
  DER_OCTET_STRING,
  DER_OID,
  DER_SEQUENCE,
  readDer,
  writeDer,
} from './der.js'
import { dkimError } from './error.js'

/** A signing algorithm of RFC 6376 section 3.3 as updated by RFC 8301 and RFC 8463. */
export type DkimAlgorithm = 'rsa-sha256' | 'ed25519-sha256'

/** An imported private key and the DKIM algorithm it signs with. */
export interface SigningKey {
  algorithm: DkimAlgorithm
  key: CryptoKey
}

// rsaEncryption 1.2.840.113549.1.1.1 and id-Ed25519 1.3.101.112, as DER OID contents.
const RSA_OID = Uint8Array.of(0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01)
const ED25519_OID = Uint8Array.of(0x2b, 0x65, 0x70)

// RFC 8301 section 3.2: signers MUST use RSA keys of at least 1024 bits.
const MIN_RSA_BITS = 1024

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

/** Finds the private key block of a PEM text and returns its label and DER bytes. */
export function decodePem(pem: string): { label: string; der: Uint8Array<ArrayBuffer> } {
  for (const match of pem.matchAll(PEM_BLOCK)) {
    const label = match[1]!
    if (!label.endsWith('PRIVATE KEY')) continue
    const body = match[2]!
    if (label === 'ENCRYPTED PRIVATE KEY' || /Proc-Type:|DEK-Info:/.test(body)) {
      throw dkimError('privateKey', 'is an encrypted PEM key; decrypt it first')
    }
    if (label !== 'PRIVATE KEY' && label !== 'RSA PRIVATE KEY') {
      throw dkimError(
        'privateKey',
        `is a "${label}" PEM block; DKIM needs an RSA or Ed25519 key as "PRIVATE KEY" (PKCS#8) or "RSA PRIVATE KEY" (PKCS#1)`,
      )
    }
    const der = base64Decode(body)
    if (!der || der.length === 0) {
      throw dkimError('privateKey', `has a "${label}" PEM block that is not valid base64`)
    }
    return { label, der }
  }
  throw dkimError('privateKey', 'is not a PEM private key (no "BEGIN PRIVATE KEY" block)')
}

/** RFC 5208 section 5: PrivateKeyInfo ::= SEQUENCE { version, privateKeyAlgorithm, privateKey }. */
export function pkcs1ToPkcs8(pkcs1: Uint8Array): Uint8Array<ArrayBuffer> {
  const version = writeDer(DER_INTEGER, Uint8Array.of(0))
  const algorithm = writeDer(
    DER_SEQUENCE,
    writeDer(DER_OID, RSA_OID),
    writeDer(DER_NULL, new Uint8Array(0)),
  )
  return writeDer(DER_SEQUENCE, version, algorithm, writeDer(DER_OCTET_STRING, pkcs1))
}

/** Reads the algorithm OID of a PKCS#8 PrivateKeyInfo: which DKIM algorithm the key is for. */
export function pkcs8Algorithm(pkcs8: Uint8Array): DkimAlgorithm {
  const outer = readDer(pkcs8, 0)
  const version = outer?.tag === DER_SEQUENCE ? readDer(pkcs8, outer.start) : undefined
  const algorithm = version?.tag === DER_INTEGER ? readDer(pkcs8, version.end) : undefined
  const oid = algorithm?.tag === DER_SEQUENCE ? readDer(pkcs8, algorithm.start) : undefined
  if (!oid || oid.tag !== DER_OID) {
    throw dkimError('privateKey', 'is not a PKCS#8 private key (unreadable DER)')
  }
  const bytes = pkcs8.subarray(oid.start, oid.end)
  if (sameBytes(bytes, RSA_OID)) return 'rsa-sha256'
  if (sameBytes(bytes, ED25519_OID)) return 'ed25519-sha256'
  throw dkimError(
    'privateKey',
    'is neither an RSA nor an Ed25519 key; DKIM signs with rsa-sha256 or ed25519-sha256',
  )
}

async function importPem(pem: string): Promise<SigningKey> {
  const subtle = globalThis.crypto?.subtle
  if (!subtle)
    throw dkimError('privateKey', 'cannot be used: WebCrypto (crypto.subtle) is not available here')
  const { label, der } = decodePem(pem)
  const pkcs8 = label === 'RSA PRIVATE KEY' ? pkcs1ToPkcs8(der) : der
  const algorithm = pkcs8Algorithm(pkcs8)
  const params =
    algorithm === 'rsa-sha256'
      ? { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }
      : { name: 'Ed25519' }
  let key: CryptoKey
  try {
    key = await subtle.importKey('pkcs8', pkcs8, params, false, ['sign'])
  } catch (cause) {
    const kind = algorithm === 'rsa-sha256' ? 'RSA' : 'Ed25519'
    throw dkimError('privateKey', `could not be imported as an ${kind} key`, cause)
  }
  if (algorithm === 'rsa-sha256') {
    const bits = (key.algorithm as RsaHashedKeyAlgorithm).modulusLength
    if (bits < MIN_RSA_BITS) {
      throw dkimError(
        'privateKey',
        `is a ${bits}-bit RSA key; RFC 8301 requires at least ${MIN_RSA_BITS} bits (2048 recommended)`,
      )
    }
  }
  return { algorithm, key }
}

// Importing an RSA key costs far more than one signature, so keys are kept per PEM string; the
// bound keeps a process that signs for many tenants from holding every key it ever saw.
const CACHE_LIMIT = 64
const cache = new Map<string, Promise<SigningKey>>()

/** Imports a PEM private key (cached), rejecting with a MimeError naming `privateKey`. */
export function loadSigningKey(pem: string): Promise<SigningKey> {
  const cached = cache.get(pem)
  if (cached) return cached
  const loading = importPem(pem)
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value!)
  cache.set(pem, loading)
  loading.catch(() => cache.delete(pem))
  return loading
}
