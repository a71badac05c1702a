// Test keys, generated once per test file with node:crypto, and their DNS TXT records.
import { generateKeyPairSync, type KeyObject } from 'node:crypto'

/** A private key as the signer takes it, and the TXT record a verifier looks up. */
export interface TestKey {
  kind: 'rsa' | 'ed25519'
  pkcs8: string
  /** PKCS#1 PEM; RSA only. */
  pkcs1?: string
  /** `v=DKIM1; k=...; p=...` */
  txt: string
}

function txtRecord(kind: 'rsa' | 'ed25519', publicKey: KeyObject): string {
  const spki = publicKey.export({ type: 'spki', format: 'der' })
  // RFC 8463 section 4.2: an Ed25519 p= is the raw 32-byte key, not SubjectPublicKeyInfo.
  const p = kind === 'ed25519' ? spki.subarray(spki.length - 32) : spki
  return `v=DKIM1; k=${kind}; p=${p.toString('base64')}`
}

export function rsaKey(bits = 2048): TestKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: bits })
  return {
    kind: 'rsa',
    pkcs8: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    pkcs1: privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(),
    txt: txtRecord('rsa', publicKey),
  }
}

export function ed25519Key(): TestKey {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519')
  return {
    kind: 'ed25519',
    pkcs8: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    txt: txtRecord('ed25519', publicKey),
  }
}
