import { afterEach, describe, expect, it } from 'vitest'
import { type AiosmtpdServer, startAiosmtpd } from '../src/index.js'
import { RawClient } from '../src/raw-client.js'

const servers: AiosmtpdServer[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.stop()))
})

async function start(...args: Parameters<typeof startAiosmtpd>): Promise<AiosmtpdServer> {
  const server = await startAiosmtpd(...args)
  servers.push(server)
  return server
}

describe('startAiosmtpd', () => {
  it('records envelope, options and the exact dot-unstuffed bytes of a plain SMTP message', async () => {
    const server = await start()
    const c = await RawClient.open(server.port)
    expect(await c.reply()).toMatch(/^220 /)
    const ehlo = await c.command('EHLO client.example')
    expect(ehlo).toContain('SMTPUTF8')
    expect(ehlo).toContain('DSN')
    expect(await c.command('MAIL FROM:<a@example.com> BODY=8BITMIME SMTPUTF8 ENVID=Ab+2B')).toMatch(
      /^250/,
    )
    expect(await c.command('RCPT TO:<b@example.org>')).toMatch(/^250/)
    expect(await c.command('RCPT TO:<ü@example.net>')).toMatch(/^250/)
    expect(await c.command('DATA')).toMatch(/^354/)
    c.write(Buffer.from('Subject: x\r\n\r\n..dot\r\nbytes \xff\r\n.\r\n', 'latin1'))
    expect(await c.reply()).toMatch(/^250/)
    await c.command('QUIT')
    c.close()
    const [msg, ...rest] = await server.waitFor(1)
    expect(rest).toEqual([])
    expect(msg?.mailFrom).toBe('a@example.com')
    expect(msg?.rcptTos).toEqual(['b@example.org', 'ü@example.net'])
    expect(msg?.mailOptions).toEqual(['BODY=8BITMIME', 'SMTPUTF8', 'ENVID=Ab+2B'])
    expect(msg?.data).toEqual(Buffer.from('Subject: x\r\n\r\n.dot\r\nbytes \xff\r\n', 'latin1'))
  })

  it('requires STARTTLS and AUTH PLAIN before accepting mail when configured so', async () => {
    const server = await start({
      security: 'starttls',
      requireStarttls: true,
      auth: { user: 'user', pass: 'secret' },
    })
    const c = await RawClient.open(server.port)
    await c.reply()
    const before = await c.command('EHLO client.example')
    expect(before).toContain('STARTTLS')
    expect(before).not.toContain('AUTH')
    expect(await c.command('MAIL FROM:<a@example.com>')).toMatch(/^530/)
    expect(await c.command('STARTTLS')).toMatch(/^220/)
    await c.startTls(server.ca)
    expect(await c.command('EHLO client.example')).toMatch(/AUTH.*PLAIN/)
    expect(await c.command('MAIL FROM:<a@example.com>')).toMatch(/^530/)
    const bad = Buffer.from('\0user\0wrong').toString('base64')
    expect(await c.command(`AUTH PLAIN ${bad}`)).toMatch(/^535/)
    const good = Buffer.from('\0user\0secret').toString('base64')
    expect(await c.command(`AUTH PLAIN ${good}`)).toMatch(/^235/)
    expect(await c.command('MAIL FROM:<a@example.com>')).toMatch(/^250/)
    expect(
      await c.command('RCPT TO:<b@example.com> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;b@example.com'),
    ).toMatch(/^250/)
    expect(await c.command('DATA')).toMatch(/^354/)
    expect(await c.command('Subject: tls\r\n\r\nbody\r\n.')).toMatch(/^250/)
    c.close()
    const [msg] = await server.waitFor(1)
    expect(msg?.rcptOptions).toEqual(['NOTIFY=SUCCESS,FAILURE', 'ORCPT=rfc822;b@example.com'])
    expect(msg?.data.toString()).toBe('Subject: tls\r\n\r\nbody\r\n')
  })

  it('speaks implicit TLS with AUTH LOGIN', async () => {
    const server = await start({ security: 'implicit', auth: { user: 'u', pass: 'p' } })
    const c = await RawClient.open(server.port, { ca: server.ca })
    expect(await c.reply()).toMatch(/^220/)
    expect(await c.command('EHLO client.example')).toMatch(/AUTH.*LOGIN/)
    expect(await c.command('AUTH LOGIN')).toMatch(/^334/)
    expect(await c.command(Buffer.from('u').toString('base64'))).toMatch(/^334/)
    expect(await c.command(Buffer.from('p').toString('base64'))).toMatch(/^235/)
    c.close()
    expect(await server.received()).toEqual([])
  })

  it('answers once per recipient after DATA in LMTP mode', async () => {
    const server = await start({ lmtp: true })
    const c = await RawClient.open(server.port)
    await c.reply()
    expect(await c.command('LHLO client.example')).toMatch(/^250/)
    await c.command('MAIL FROM:<>')
    await c.command('RCPT TO:<x@example.com>')
    await c.command('RCPT TO:<y@example.com>')
    await c.command('DATA')
    c.write('Subject: l\r\n\r\nhi\r\n.\r\n')
    expect(await c.reply()).toMatch(/^250/)
    expect(await c.reply()).toMatch(/^250/)
    c.close()
    const [msg] = await server.waitFor(1)
    expect(msg?.mailFrom).toBe('<>')
    expect(msg?.rcptTos).toEqual(['x@example.com', 'y@example.com'])
  })

  it('rejects data above dataSizeLimit and can turn SMTPUTF8 and DSN off', async () => {
    const server = await start({ dataSizeLimit: 100, smtputf8: false, dsn: false })
    const c = await RawClient.open(server.port)
    await c.reply()
    const ehlo = await c.command('EHLO client.example')
    expect(ehlo).toContain('SIZE 100')
    expect(ehlo).not.toContain('SMTPUTF8')
    expect(ehlo).not.toContain('DSN')
    expect(await c.command('MAIL FROM:<a@example.com> RET=HDRS')).toMatch(/^555/)
    await c.command('MAIL FROM:<a@example.com>')
    await c.command('RCPT TO:<b@example.com>')
    await c.command('DATA')
    expect(await c.command(`${'x'.repeat(200)}\r\n.`)).toMatch(/^552/)
    c.close()
    expect(await server.received()).toEqual([])
  })

  it('frees its port when stopped', async () => {
    const server = await startAiosmtpd()
    await server.stop()
    await expect(RawClient.open(server.port)).rejects.toThrow(/ECONNREFUSED/)
    await expect(server.waitFor(1)).rejects.toThrow(/stopped/)
  })
})
