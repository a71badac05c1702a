// DKIM keys for the scenario and verification of its signatures with Debian's python3-dkim,
// an implementation independent of @mail/mime/dkim (DNS answered from memory, never the network).
import { spawn } from 'node:child_process'
import { generateKeyPairSync, type KeyObject } from 'node:crypto'
import { join } from 'node:path'
import { PYTHON } from '@mail/testkit'
import { DKIM_DOMAIN, DKIM_SELECTORS } from '../scenario/messages.mjs'

/** Private keys as the scenario receives them (PEM) and the DNS TXT records that publish them. */
export interface DkimFixture {
  keys: { rsa: string; rsaPkcs1: string; ed25519: string }
  records: Record<string, string>
}

const spki = (key: KeyObject): Buffer => key.export({ type: 'spki', format: 'der' })
const record = (selector: string) => `${selector}._domainkey.${DKIM_DOMAIN}.`

/** Fresh keys: RSA-2048 as PKCS#8 and as PKCS#1 PEM, Ed25519 as PKCS#8 PEM. */
export function makeDkimFixture(): DkimFixture {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 })
  const rsaPkcs1 = generateKeyPairSync('rsa', { modulusLength: 2048 })
  const ed = generateKeyPairSync('ed25519')
  return {
    keys: {
      rsa: rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      rsaPkcs1: rsaPkcs1.privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(),
      ed25519: ed.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    },
    records: {
      [record(DKIM_SELECTORS.rsa)]: `v=DKIM1; k=rsa; p=${spki(rsa.publicKey).toString('base64')}`,
      [record(DKIM_SELECTORS.rsaPkcs1)]:
        `v=DKIM1; k=rsa; p=${spki(rsaPkcs1.publicKey).toString('base64')}`,
      // RFC 8463 section 4.2: the Ed25519 record holds the raw 32-byte public key, not SPKI.
      [record(DKIM_SELECTORS.ed25519)]:
        `v=DKIM1; k=ed25519; p=${spki(ed.publicKey).subarray(-32).toString('base64')}`,
    },
  }
}

/** Result of verifying every DKIM-Signature of one message. */
export interface DkimVerdict {
  ok: boolean
  count: number
  error: string | null
}

/** Verifies the messages with python3-dkim in one process; one verdict per message, in order. */
export function verifyDkim(
  records: Record<string, string>,
  messages: (string | Uint8Array)[],
): Promise<DkimVerdict[]> {
  const request = JSON.stringify({
    records,
    messages: messages.map((m) => Buffer.from(m).toString('base64')),
  })
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, [join(import.meta.dirname, 'verify_dkim.py')], {
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    let out = ''
    let err = ''
    child.stdout.setEncoding('utf8').on('data', (s: string) => {
      out += s
    })
    child.stderr.setEncoding('utf8').on('data', (s: string) => {
      err += s
    })
    child.once('error', reject)
    child.once('close', (code) => {
      if (code !== 0) return reject(new Error(`verify_dkim.py exited ${code}: ${err}`))
      resolve(JSON.parse(out) as DkimVerdict[])
    })
    child.stdin.end(request)
  })
}
