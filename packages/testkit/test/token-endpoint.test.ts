import { createSign, generateKeyPairSync } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import {
  type AiosmtpdServer,
  startAiosmtpd,
  startTokenEndpoint,
  stopAfterEach,
  type TokenEndpoint,
} from '../src/index.js'
import { RawClient } from '../src/raw-client.js'

const track = stopAfterEach()

async function endpoint(...args: Parameters<typeof startTokenEndpoint>): Promise<TokenEndpoint> {
  return track(startTokenEndpoint(...args))
}

async function aiosmtpd(...args: Parameters<typeof startAiosmtpd>): Promise<AiosmtpdServer> {
  return track(startAiosmtpd(...args))
}

async function post(url: string, form: Record<string, string>) {
  const res = await fetch(url, { method: 'POST', body: new URLSearchParams(form) })
  return { status: res.status, body: (await res.json()) as Record<string, unknown> }
}

const client = {
  clientId: 'cid',
  clientSecret: 'csecret',
  refreshToken: 'rt-1',
  user: 'me@example.com',
}
const b64url = (s: string) => Buffer.from(s).toString('base64url')

function assertion(claims: Record<string, unknown>, privateKey: string): string {
  const input = `${b64url(JSON.stringify({ alg: 'RS256', typ: 'JWT' }))}.${b64url(JSON.stringify(claims))}`
  return `${input}.${createSign('sha256').update(input).sign(privateKey, 'base64url')}`
}

describe('startTokenEndpoint', () => {
  it('issues tokens for a refresh grant that introspection calls active until they expire', async () => {
    let clock = 1_000_000
    const e = await endpoint({ clients: [client], expiresIn: 60, now: () => clock })
    const form = {
      grant_type: 'refresh_token',
      refresh_token: 'rt-1',
      client_id: 'cid',
      client_secret: 'csecret',
    }
    const answer = await post(e.tokenUrl, form)
    expect(answer).toMatchObject({ status: 200, body: { token_type: 'Bearer', expires_in: 60 } })
    const token = answer.body.access_token as string
    expect(e.issued).toEqual([token])
    expect((await post(e.introspectionUrl, { token })).body).toMatchObject({
      active: true,
      username: 'me@example.com',
    })
    clock += 60_000
    expect((await post(e.introspectionUrl, { token })).body).toEqual({ active: false })
    expect((await post(e.introspectionUrl, { token: 'at-made-up' })).body).toEqual({
      active: false,
    })
  })

  it('answers invalid_client and invalid_grant as RFC 6749 5.2 says, and revokes', async () => {
    const e = await endpoint({ clients: [client] })
    const base = { grant_type: 'refresh_token', refresh_token: 'rt-1', client_id: 'cid' }
    expect(await post(e.tokenUrl, { ...base, client_secret: 'wrong' })).toMatchObject({
      status: 401,
      body: { error: 'invalid_client' },
    })
    expect(
      await post(e.tokenUrl, { ...base, client_secret: 'csecret', refresh_token: 'rt-x' }),
    ).toMatchObject({ status: 400, body: { error: 'invalid_grant' } })
    const ok = await post(e.tokenUrl, { ...base, client_secret: 'csecret' })
    e.revoke(ok.body.access_token as string)
    expect(
      (await post(e.introspectionUrl, { token: ok.body.access_token as string })).body,
    ).toEqual({ active: false })
    e.revokeRefreshToken('rt-1')
    expect((await post(e.tokenUrl, { ...base, client_secret: 'csecret' })).status).toBe(400)
    e.failNext(1, 503, { error: 'temporarily_unavailable' })
    expect((await post(e.tokenUrl, { ...base, client_secret: 'csecret' })).status).toBe(503)
    expect(e.requests.map((r) => [r.status, r.error])).toEqual([
      [401, 'invalid_client'],
      [400, 'invalid_grant'],
      [200, undefined],
      [400, 'invalid_grant'],
      [503, undefined],
    ])
  })

  it('rotates refresh tokens when asked', async () => {
    const e = await endpoint({ clients: [{ ...client }], rotateRefreshTokens: true })
    const form = { grant_type: 'refresh_token', client_id: 'cid', client_secret: 'csecret' }
    const first = await post(e.tokenUrl, { ...form, refresh_token: 'rt-1' })
    const next = first.body.refresh_token as string
    expect(next).toMatch(/^rt-/)
    expect((await post(e.tokenUrl, { ...form, refresh_token: 'rt-1' })).status).toBe(400)
    expect((await post(e.tokenUrl, { ...form, refresh_token: next })).status).toBe(200)
  })

  it('verifies a service account assertion with the public key', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    })
    const other = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    })
    const e = await endpoint({ serviceAccounts: [{ clientEmail: 'sa@example.iam', publicKey }] })
    const iat = Math.floor(Date.now() / 1000)
    const claims = {
      iss: 'sa@example.iam',
      aud: e.tokenUrl,
      iat,
      exp: iat + 3600,
      scope: 's',
      sub: 'me@example.com',
    }
    const grant = 'urn:ietf:params:oauth:grant-type:jwt-bearer'
    const good = await post(e.tokenUrl, {
      grant_type: grant,
      assertion: assertion(claims, privateKey),
    })
    expect(good.status).toBe(200)
    const token = good.body.access_token as string
    expect((await post(e.introspectionUrl, { token })).body).toMatchObject({
      username: 'me@example.com',
    })
    const forged = await post(e.tokenUrl, {
      grant_type: grant,
      assertion: assertion(claims, other.privateKey),
    })
    expect(forged).toMatchObject({
      status: 400,
      body: { error: 'invalid_grant', error_description: 'Invalid JWT: bad signature.' },
    })
    const wrongAudience = assertion(
      { ...claims, aud: 'https://elsewhere.example/token' },
      privateKey,
    )
    expect((await post(e.tokenUrl, { grant_type: grant, assertion: wrongAudience })).status).toBe(
      400,
    )
    const expired = assertion({ ...claims, iat: iat - 7200, exp: iat - 3600 }, privateKey)
    expect((await post(e.tokenUrl, { grant_type: grant, assertion: expired })).status).toBe(400)
  })
})

describe('startAiosmtpd with oauth2', () => {
  const xoauth2 = (user: string, token: string) =>
    Buffer.from(`user=${user}\x01auth=Bearer ${token}\x01\x01`).toString('base64')
  const oauthbearer = (user: string, token: string) =>
    Buffer.from(
      `n,a=${user},\x01host=localhost\x01port=25\x01auth=Bearer ${token}\x01\x01`,
    ).toString('base64')

  it('accepts XOAUTH2 and OAUTHBEARER only with active tokens the endpoint issued', async () => {
    const e = await endpoint({ clients: [client] })
    const server = await aiosmtpd({
      oauth2: { introspectionUrl: e.introspectionUrl, user: 'me@example.com' },
    })
    const form = {
      grant_type: 'refresh_token',
      refresh_token: 'rt-1',
      client_id: 'cid',
      client_secret: 'csecret',
    }
    const token = (await post(e.tokenUrl, form)).body.access_token as string

    const c = await RawClient.open(server.port)
    await c.reply()
    const ehlo = await c.command('EHLO client.example')
    expect(ehlo).toMatch(/AUTH OAUTHBEARER XOAUTH2\r\n/)
    expect(await c.command('MAIL FROM:<a@example.com>')).toMatch(/^530/)
    // Gmail's way: a 334 with a JSON error, an empty answer, then 535.
    const refused = await c.command(`AUTH XOAUTH2 ${xoauth2('me@example.com', 'at-forged')}`)
    expect(refused).toMatch(/^334 /)
    expect(JSON.parse(Buffer.from(refused.slice(4).trim(), 'base64').toString())).toMatchObject({
      status: '400',
    })
    expect(await c.command('')).toMatch(/^535/)
    expect(await c.command(`AUTH XOAUTH2 ${xoauth2('other@example.com', token)}`)).toMatch(/^334 /)
    expect(await c.command('')).toMatch(/^535/)
    expect(await c.command(`AUTH XOAUTH2 ${xoauth2('me@example.com', token)}`)).toMatch(/^235/)
    c.close()

    const d = await RawClient.open(server.port)
    await d.reply()
    await d.command('EHLO client.example')
    e.revoke(token)
    expect(await d.command(`AUTH OAUTHBEARER ${oauthbearer('me@example.com', token)}`)).toMatch(
      /^334 /,
    )
    // RFC 7628 3.2.3: the client answers the error with ^A.
    expect(await d.command('AQ==')).toMatch(/^535/)
    d.close()
    expect(e.introspections.map((i) => i.active)).toEqual([false, true, true, false])
  })

  it('offers only the mechanisms asked for', async () => {
    const e = await endpoint()
    const server = await aiosmtpd({
      oauth2: { introspectionUrl: e.introspectionUrl, mechanisms: ['XOAUTH2'] },
    })
    const c = await RawClient.open(server.port)
    await c.reply()
    expect(await c.command('EHLO client.example')).toMatch(/AUTH XOAUTH2\r\n/)
    c.close()
  })
})
