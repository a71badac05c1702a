import { generateKeyPairSync } from 'node:crypto'
import { inspect } from 'node:util'
import { startTokenEndpoint, type TokenEndpoint } from '@mail/testkit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SmtpError } from '../../src/errors.js'
import { serviceAccountProvider } from '../../src/oauth2/index.js'

const pair = () =>
  generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  })
const key = pair()
const clientEmail = 'mailer@project.iam.gserviceaccount.com'
let e: TokenEndpoint

beforeAll(async () => {
  e = await startTokenEndpoint({ serviceAccounts: [{ clientEmail, publicKey: key.publicKey }] })
})
afterAll(() => e.stop())

const b64 = (pem: string) => pem.replace(/-----[^-]+-----|\s/g, '')

describe('serviceAccountProvider', () => {
  it('signs an RS256 assertion the endpoint verifies with the public key', async () => {
    const before = e.requests.length
    const accessToken = serviceAccountProvider({
      tokenUrl: e.tokenUrl,
      clientEmail,
      privateKey: key.privateKey,
      scope: ['https://mail.google.com/'],
      subject: 'me@example.com',
    })
    const [a, b] = await Promise.all([accessToken({}), accessToken({})])
    expect(b).toBe(a)
    expect(e.requests.slice(before)).toHaveLength(1)
    const request = e.requests.at(-1)!
    expect(request).toMatchObject({ status: 200 })
    expect(request.form.grant_type).toBe('urn:ietf:params:oauth:grant-type:jwt-bearer')
    const [header, claims] = request.form
      .assertion!.split('.')
      .slice(0, 2)
      .map((p) => JSON.parse(Buffer.from(p, 'base64url').toString()))
    expect(header).toEqual({ alg: 'RS256', typ: 'JWT' })
    expect(claims).toMatchObject({
      iss: clientEmail,
      aud: e.tokenUrl,
      scope: 'https://mail.google.com/',
      sub: 'me@example.com',
    })
    expect(claims.exp - claims.iat).toBe(3600)
    const introspected = await fetch(e.introspectionUrl, {
      method: 'POST',
      body: new URLSearchParams({ token: a }),
    })
    expect(await introspected.json()).toMatchObject({ active: true, username: 'me@example.com' })
  })

  it('accepts a key whose line breaks came as \\n text', async () => {
    const accessToken = serviceAccountProvider({
      tokenUrl: e.tokenUrl,
      clientEmail,
      privateKey: key.privateKey.replace(/\n/g, '\\n'),
      scope: 'https://mail.google.com/',
    })
    expect(e.issued).toContain(await accessToken({}))
  })

  it('gets invalid_grant, permanent, for an assertion signed by another key, showing neither', async () => {
    const other = pair()
    const accessToken = serviceAccountProvider({
      tokenUrl: e.tokenUrl,
      clientEmail,
      privateKey: other.privateKey,
      scope: 'https://mail.google.com/',
    })
    const error = await accessToken({}).catch((err: unknown) => err)
    expect(error).toBeInstanceOf(SmtpError)
    expect(error).toMatchObject({ stage: 'auth', transient: false, permanent: true })
    expect((error as Error).message).toBe(
      `OAuth2 token request (jwt-bearer grant) to ${e.tokenUrl} failed: invalid_grant (Invalid JWT: bad signature.), HTTP 400`,
    )
    const assertion = e.requests.at(-1)!.form.assertion!
    const all = `${String(error)} ${inspect(error, { depth: 5 })}`
    expect(all).not.toContain(assertion)
    expect(all).not.toContain(assertion.split('.')[2]!)
    expect(all).not.toContain(b64(other.privateKey).slice(0, 40))
  })

  it('rejects a key that is not PKCS#8 RSA, naming privateKey and quoting nothing', async () => {
    const pkcs1 = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    }).privateKey
    const ec = generateKeyPairSync('ec', {
      namedCurve: 'P-256',
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    }).privateKey
    for (const [privateKey, message] of [
      [pkcs1, /privateKey must be a PEM PKCS#8 key/],
      [ec, /privateKey could not be imported as an RSA key/],
    ] as const) {
      const accessToken = serviceAccountProvider({
        tokenUrl: e.tokenUrl,
        clientEmail,
        privateKey,
        scope: 's',
      })
      const error = await accessToken({}).catch((err: unknown) => err)
      expect(error).toMatchObject({ stage: 'input', field: 'privateKey' })
      expect((error as Error).message).toMatch(message)
      expect(inspect(error, { depth: 5 })).not.toContain(b64(privateKey).slice(0, 40))
    }
  })

  it('checks its options, naming the field', () => {
    expect(() =>
      serviceAccountProvider({ clientEmail, privateKey: key.privateKey, scope: [] }),
    ).toThrow(/scope must be a string or a non-empty array/)
    expect(() =>
      serviceAccountProvider({ clientEmail: '', privateKey: key.privateKey, scope: 's' }),
    ).toThrow(/clientEmail must be a non-empty string/)
    expect(() =>
      serviceAccountProvider({ clientEmail, privateKey: key.privateKey, scope: 's' }),
    ).not.toThrow()
  })
})
