import { type AiosmtpdServer, startAiosmtpd } from '@mail/testkit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SmtpClient, SmtpError } from '../../src/index.js'

const raw = (subject: string, body = 'Hello.\r\n.leading dot\r\n') =>
  `From: a@example.com\r\nTo: b@example.org\r\nSubject: ${subject}\r\n\r\n${body}`

describe('against aiosmtpd without TLS', () => {
  let server: AiosmtpdServer
  beforeAll(async () => {
    server = await startAiosmtpd({ security: 'none' })
  })
  afterAll(() => server.stop())

  it('delivers the exact bytes with the right envelope', async () => {
    const client = await SmtpClient.connect({
      host: server.host,
      port: server.port,
      security: 'none',
    })
    const message = raw('plain')
    const result = await client.send(
      { from: 'a@example.com', to: ['b@example.org', 'c@example.org'] },
      message,
    )
    expect(result.accepted).toEqual(['b@example.org', 'c@example.org'])
    expect(result.rejected).toEqual([])
    expect(result.response).toMatch(/^250 /)
    await client.quit()
    const [got] = await server.waitFor(1)
    expect(got!.mailFrom).toBe('a@example.com')
    expect(got!.rcptTos).toEqual(['b@example.org', 'c@example.org'])
    expect(got!.data.toString('latin1')).toBe(message)
  })
})
