import { type AiosmtpdServer, startAiosmtpd } from '@mail/testkit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SmtpClient, type SmtpLogEntry } from '../../src/index.js'

const raw = (subject: string, body = 'Hello.\r\n.leading dot\r\n') =>
  `From: a@example.com\r\nTo: b@example.org\r\nSubject: ${subject}\r\n\r\n${body}`

describe('against aiosmtpd without TLS', () => {
  let server: AiosmtpdServer
  beforeAll(async () => {
    server = await startAiosmtpd({ security: 'none', dataSizeLimit: 100_000 })
  })
  afterAll(() => server.stop())

  it('delivers the exact bytes with the right envelope, twice over one connection', async () => {
    const client = await SmtpClient.connect({
      host: server.host,
      port: server.port,
      security: 'none',
    })
    expect(client.secure).toBe(false)
    expect(client.capabilities.size).toBe(100_000)
    const first = raw('first')
    const second = raw('second', 'bare\nLF and bare\rCR\n.\n')
    const [a, b] = await Promise.all([
      client.send({ from: 'a@example.com', to: ['b@example.org', 'c@example.org'] }, first),
      client.send({ from: '', to: ['d@example.org'] }, new TextEncoder().encode(second)),
    ])
    expect(a.accepted).toEqual(['b@example.org', 'c@example.org'])
    expect(a.rejected).toEqual([])
    expect(a.response).toMatch(/^250 /)
    expect(b.accepted).toEqual(['d@example.org'])
    expect(client.usable).toBe(true)
    await client.quit()
    expect(client.usable).toBe(false)
    const got = await server.waitFor(2)
    expect(got[0]).toMatchObject({
      mailFrom: 'a@example.com',
      rcptTos: ['b@example.org', 'c@example.org'],
    })
    expect(got[0]!.data.toString('latin1')).toBe(first)
    expect(got[0]!.mailOptions).toContain(`SIZE=${first.length}`)
    expect(got[1]).toMatchObject({ mailFrom: '<>', rcptTos: ['d@example.org'] })
    expect(got[1]!.data.toString('latin1')).toBe(second.replace(/\r\n|\r|\n/g, '\r\n'))
  })

  it('refuses a message over the advertised SIZE before MAIL', async () => {
    const log: SmtpLogEntry[] = []
    const client = await SmtpClient.connect({
      host: server.host,
      port: server.port,
      onLog: (e) => log.push(e),
    })
    await expect(
      client.send({ from: 'a@example.com', to: ['b@example.org'] }, 'x'.repeat(100_001)),
    ).rejects.toMatchObject({
      stage: 'mail',
    })
    expect(log.some((e) => e.line.startsWith('MAIL'))).toBe(false)
    expect(client.usable).toBe(true)
    await client.quit()
  })
})

describe('against aiosmtpd with STARTTLS and AUTH', () => {
  let server: AiosmtpdServer
  const auth = { user: 'alice', pass: 'wonder land' }
  /** What a STARTTLS connection that is not given the server's CA rejects with. */
  const withoutCa = () =>
    SmtpClient.connect({ host: server.host, port: server.port, security: 'starttls' }).catch(
      (e: unknown) => e,
    )
  beforeAll(async () => {
    server = await startAiosmtpd({ security: 'starttls', requireStarttls: true, auth })
  })
  afterAll(() => server.stop())

  it.each(['PLAIN', 'LOGIN'] as const)(
    'upgrades, authenticates with %s and delivers',
    async (mechanism) => {
      const log: SmtpLogEntry[] = []
      const client = await SmtpClient.connect({
        host: server.host,
        port: server.port,
        security: 'starttls',
        tls: { ca: server.ca },
        auth: { ...auth, mechanism },
        onLog: (e) => log.push(e),
      })
      expect(client.secure).toBe(true)
      expect(client.authenticated).toBe(true)
      expect(client.capabilities.auth).toEqual(expect.arrayContaining(['PLAIN', 'LOGIN']))
      const message = raw(`auth ${mechanism}`)
      await client.send({ from: 'a@example.com', to: ['b@example.org'] }, message)
      await client.quit()
      const got = await server.received()
      expect(got.at(-1)!.data.toString('latin1')).toBe(message)
      const transcript = JSON.stringify(log)
      expect(transcript).toContain(`AUTH ${mechanism}`)
      expect(transcript).not.toContain('wonder')
      expect(transcript).not.toContain(Buffer.from('wonder land').toString('base64'))
      expect(transcript).not.toContain(Buffer.from('\0alice\0wonder land').toString('base64'))
    },
  )

  it('fails AUTH with a wrong password as a 535 auth error', async () => {
    const error = await SmtpClient.connect({
      host: server.host,
      port: server.port,
      tls: { ca: server.ca },
      auth: { user: 'alice', pass: 'wrong' },
    }).catch((e: unknown) => e)
    expect(error).toMatchObject({ name: 'SmtpError', stage: 'auth', code: 535, permanent: true })
    expect(String((error as Error).message)).not.toContain('wrong')
  })

  it('verifies the certificate by default and fails in stage tls without the CA', async () => {
    const error = await withoutCa()
    expect(error).toMatchObject({ name: 'SmtpError', stage: 'tls' })
  })

  it('says the certificate is not trusted, and which fix applies, when the CA is missing', async () => {
    const error = await withoutCa()
    expect(error).toMatchObject({ stage: 'tls', hint: 'untrusted-certificate' })
    expect((error as Error).message).toMatch(
      /not trusted for this host: pass the CA .* as tls: \{ ca \}/,
    )
  })

  it('says the certificate is for another name when connecting by one it does not carry', async () => {
    const error = await SmtpClient.connect({
      host: server.host,
      port: server.port,
      security: 'starttls',
      tls: { ca: server.ca, servername: 'mail.example.org' },
    }).catch((e: unknown) => e)
    expect(error).toMatchObject({ stage: 'tls', hint: 'untrusted-certificate' })
  })
})

describe('against aiosmtpd with implicit TLS', () => {
  let server: AiosmtpdServer
  beforeAll(async () => {
    server = await startAiosmtpd({ security: 'implicit' })
  })
  afterAll(() => server.stop())

  it('speaks TLS from the first byte', async () => {
    await using client = await SmtpClient.connect({
      host: 'localhost',
      port: server.port,
      security: 'implicit',
      tls: { ca: server.ca },
    })
    expect(client.secure).toBe(true)
    const message = raw('implicit')
    await client.send({ from: 'a@example.com', to: ['b@example.org'] }, message)
    const [got] = await server.waitFor(1)
    expect(got!.data.toString('latin1')).toBe(message)
  })

  it('says the certificate is not trusted when implicit TLS has no CA for it', async () => {
    const error = await SmtpClient.connect({
      host: 'localhost',
      port: server.port,
      security: 'implicit',
    }).catch((e: unknown) => e)
    expect(error).toMatchObject({ stage: 'tls', hint: 'untrusted-certificate' })
  })

  it("suggests security 'implicit' when the greeting never comes in plaintext", async () => {
    const error = await SmtpClient.connect({
      host: server.host,
      port: server.port,
      security: 'none',
      timeouts: { greeting: 300 },
    }).catch((e: unknown) => e)
    expect(error).toMatchObject({ stage: 'greeting', transient: true })
    expect((error as Error).message).toMatch(/security: 'implicit'/)
  })
})

describe('against aiosmtpd in LMTP mode', () => {
  let server: AiosmtpdServer
  beforeAll(async () => {
    server = await startAiosmtpd({ lmtp: true })
  })
  afterAll(() => server.stop())

  it('says LHLO and reads one reply per recipient', async () => {
    const log: SmtpLogEntry[] = []
    const client = await SmtpClient.connect({
      host: server.host,
      port: server.port,
      lmtp: true,
      onLog: (e) => log.push(e),
    })
    const message = raw('lmtp')
    const result = await client.send(
      { from: 'a@example.com', to: ['b@example.org', 'c@example.org'] },
      message,
    )
    expect(result.accepted).toEqual(['b@example.org', 'c@example.org'])
    await client.quit()
    expect(log.find((e) => e.direction === 'client')?.line).toMatch(/^LHLO /)
    const [got] = await server.waitFor(1)
    expect(got!.rcptTos).toEqual(['b@example.org', 'c@example.org'])
    expect(got!.data.toString('latin1')).toBe(message)
  })
})

describe('against aiosmtpd with SMTPUTF8', () => {
  let server: AiosmtpdServer
  beforeAll(async () => {
    server = await startAiosmtpd({ smtputf8: true })
  })
  afterAll(() => server.stop())

  it('sends non-ASCII addresses with SMTPUTF8 and 8-bit content with BODY=8BITMIME', async () => {
    const client = await SmtpClient.connect({ host: server.host, port: server.port })
    const message = 'From: jörg@exämple.com\r\nSubject: Grüße\r\n\r\nÄpfel\r\n'
    await client.send({ from: 'jörg@exämple.com', to: ['ñandú@example.org'] }, message)
    await client.quit()
    const [got] = await server.waitFor(1)
    expect(got!.mailFrom).toBe('jörg@exämple.com')
    expect(got!.rcptTos).toEqual(['ñandú@example.org'])
    expect(got!.mailOptions).toEqual(expect.arrayContaining(['SMTPUTF8', 'BODY=8BITMIME']))
    expect(got!.data.toString('utf8')).toBe(message)
  })
})

describe('against aiosmtpd without SMTPUTF8', () => {
  let server: AiosmtpdServer
  beforeAll(async () => {
    server = await startAiosmtpd({ smtputf8: false })
  })
  afterAll(() => server.stop())

  it('refuses a non-ASCII address before MAIL', async () => {
    const client = await SmtpClient.connect({ host: server.host, port: server.port })
    await expect(
      client.send({ from: 'jörg@example.com', to: ['b@example.org'] }, 'x\r\n'),
    ).rejects.toMatchObject({
      stage: 'mail',
    })
    await client.quit()
    expect(await server.received()).toEqual([])
  })
})
