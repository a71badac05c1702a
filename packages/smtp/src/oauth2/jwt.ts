import { base64 } from '../auth/base64.js'
import { inputError } from '../errors.js'

const encoder = new TextEncoder()

/** WebCrypto's key type, named without the DOM library (Node's and Workers' types both have it). */
export type SigningKey = Awaited<ReturnType<typeof crypto.subtle.importKey>>

/** base64url without padding (RFC 7515 2). */
function base64url(value: string | Uint8Array): string {
  return base64(value).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}

/**
 * Imports a PEM PKCS#8 RSA private key (the `private_key` of a Google service account's JSON
 * key file) for RS256 with WebCrypto, so it works on Workers too. Errors name the field and never
 * quote the key.
 */
export async function importRsaKey(pem: string): Promise<SigningKey> {
  // A key pasted from an environment variable often carries its line breaks as '\n' text.
  const text = pem.replace(/\\n/g, '\n')
  const match = /-----BEGIN PRIVATE KEY-----([A-Za-z0-9+/=\s]+)-----END PRIVATE KEY-----/.exec(text)
  if (match === null) {
    throw inputError(
      "privateKey must be a PEM PKCS#8 key ('-----BEGIN PRIVATE KEY-----', the private_key of the service account's JSON key file)",
      'privateKey',
    )
  }
  let der: Uint8Array<ArrayBuffer>
  try {
    der = Uint8Array.from(atob(match[1]!.replace(/\s+/g, '')), (c) => c.charCodeAt(0))
  } catch {
    throw inputError('privateKey is not valid base64 inside its PEM armour', 'privateKey')
  }
  const subtle = globalThis.crypto?.subtle
  if (subtle === undefined) {
    throw inputError(
      'privateKey cannot be used: WebCrypto (crypto.subtle) is not available here',
      'privateKey',
    )
  }
  try {
    return await subtle.importKey(
      'pkcs8',
      der,
      { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
      false,
      ['sign'],
    )
  } catch {
    throw inputError('privateKey could not be imported as an RSA key for RS256', 'privateKey')
  }
}

/**
 * A compact JWS (RFC 7515) of the claims, signed RS256 (RFC 7518 3.3).
 *
 * @example
 * await signJwt({ iss: 'sa@project.iam.gserviceaccount.com', aud, iat, exp, scope }, key)
 * // 'eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJ...'
 */
export async function signJwt(claims: Record<string, unknown>, key: SigningKey): Promise<string> {
  const input = `${base64url(JSON.stringify({ alg: 'RS256', typ: 'JWT' }))}.${base64url(JSON.stringify(claims))}`
  const signature = await crypto.subtle.sign('RSASSA-PKCS1-v1_5', key, encoder.encode(input))
  return `${input}.${base64url(new Uint8Array(signature))}`
}
