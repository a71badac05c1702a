import { generateKeyPairSync } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { decodePem, loadSigningKey, pkcs1ToPkcs8, pkcs8Algorithm } from '../../src/dkim/key.js'
import { base64Encode as toBase64 } from '../../src/encode/base64.js'
import { MimeError } from '../../src/errors.js'
import { ed25519Key, rsaKey } from './keys.js'

const rsa = rsaKey(1024)
const ed = ed25519Key()

function pem(label: string, der: Uint8Array): string {
  return `-----BEGIN ${label}-----\n${toBase64(der).replace(/(.{64})/g, '$1\n')}\n-----END ${label}-----\n`
}

async function keyError(privateKey: string): Promise<MimeError> {
  const error = await loadSigningKey(privateKey).then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(MimeError)
  expect((error as MimeError).field).toBe('privateKey')
  return error as MimeError
}

describe('decodePem', () => {
  it('finds the private key block among other text and blocks', () => {
    const { publicKey } = generateKeyPairSync('ed25519')
    const text = `Bag Attributes: none\n${publicKey.export({ type: 'spki', format: 'pem' })}${ed.pkcs8}`
    expect(decodePem(text).label).toBe('PRIVATE KEY')
  })

  it('reads a PKCS#1 block with its label', () => {
    expect(decodePem(rsa.pkcs1!).label).toBe('RSA PRIVATE KEY')
  })
})

describe('pkcs1ToPkcs8', () => {
  it('wraps a PKCS#1 key into exactly the PKCS#8 bytes OpenSSL writes', () => {
    const pkcs1 = decodePem(rsa.pkcs1!).der
    expect(toBase64(pkcs1ToPkcs8(pkcs1))).toBe(toBase64(decodePem(rsa.pkcs8).der))
  })
})

describe('pkcs8Algorithm', () => {
  it('detects RSA and Ed25519 from the key OID', () => {
    expect(pkcs8Algorithm(decodePem(rsa.pkcs8).der)).toBe('rsa-sha256')
    expect(pkcs8Algorithm(decodePem(ed.pkcs8).der)).toBe('ed25519-sha256')
  })
})

describe('loadSigningKey', () => {
  it('imports PKCS#8 RSA, PKCS#1 RSA and PKCS#8 Ed25519 keys as signing keys', async () => {
    for (const [text, algorithm] of [
      [rsa.pkcs8, 'rsa-sha256'],
      [rsa.pkcs1!, 'rsa-sha256'],
      [ed.pkcs8, 'ed25519-sha256'],
    ] as const) {
      const key = await loadSigningKey(text)
      expect(key.algorithm).toBe(algorithm)
      expect(key.key.usages).toEqual(['sign'])
      expect(key.key.extractable).toBe(false)
    }
  })

  it('imports each PEM string once and reuses the key', async () => {
    expect(loadSigningKey(ed.pkcs8)).toBe(loadSigningKey(ed.pkcs8))
  })

  it('does not keep a failed import, so the next call tries again', async () => {
    const bad = pem('PRIVATE KEY', Uint8Array.of(0x30, 0x03, 0x02, 0x01, 0x00))
    const first = loadSigningKey(bad)
    await first.catch(() => undefined)
    const second = loadSigningKey(bad)
    expect(second).not.toBe(first)
    await second.catch(() => undefined)
  })

  it('rejects RSA keys under 1024 bits (RFC 8301)', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 768 })
    const error = await keyError(privateKey.export({ type: 'pkcs8', format: 'pem' }).toString())
    expect(error.message).toMatch(/768-bit RSA key.*1024/)
  })

  it('rejects a key that is neither RSA nor Ed25519', async () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
    const error = await keyError(privateKey.export({ type: 'pkcs8', format: 'pem' }).toString())
    expect(error.message).toMatch(/neither an RSA nor an Ed25519 key/)
  })

  it('rejects an EC key in its SEC1 PEM form', async () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
    const error = await keyError(privateKey.export({ type: 'sec1', format: 'pem' }).toString())
    expect(error.message).toMatch(/EC PRIVATE KEY/)
  })

  it('rejects encrypted keys, PKCS#8 and legacy PKCS#1 alike', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 1024 })
    for (const type of ['pkcs8', 'pkcs1'] as const) {
      const text = privateKey
        .export({ type, format: 'pem', cipher: 'aes-128-cbc', passphrase: 'secret' })
        .toString()
      expect((await keyError(text)).message).toMatch(/encrypted/)
    }
  })

  it('rejects text that holds no private key, such as a public key', async () => {
    const { publicKey } = generateKeyPairSync('ed25519')
    await keyError(publicKey.export({ type: 'spki', format: 'pem' }).toString())
    await keyError('not a key at all')
  })

  it('rejects a PEM block whose body is not base64', async () => {
    const error = await keyError('-----BEGIN PRIVATE KEY-----\n@@@@\n-----END PRIVATE KEY-----')
    expect(error.message).toMatch(/not valid base64/)
  })

  it('rejects DER that is not a private key, and a truncated key', async () => {
    expect((await keyError(pem('PRIVATE KEY', Uint8Array.of(1, 2, 3, 4)))).message).toMatch(
      /unreadable DER/,
    )
    const der = decodePem(ed.pkcs8).der
    await keyError(pem('PRIVATE KEY', der.subarray(0, der.length - 5)))
    const rsaDer = decodePem(rsa.pkcs1!).der
    const broken = Uint8Array.from(rsaDer)
    broken[broken.length - 40] = 0
    await keyError(pem('RSA PRIVATE KEY', broken.subarray(0, 200)))
  })
})
