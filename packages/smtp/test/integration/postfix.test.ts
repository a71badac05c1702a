import { type PostfixServer, startPostfix } from '@mail/testkit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SmtpClient, type SmtpLogEntry } from '../../src/index.js'

const message = (subject: string, body: string) =>
  `From: a@example.com\r\nTo: b@example.org\r\nSubject: ${subject}\r\nMessage-ID: <${subject}@example.com>\r\n\r\n${body}`

/** The delivered file with Postfix's prepended trace headers removed, for `subject`. */
function delivered(files: Buffer[], subject: string): string {
  const file = files.map((f) => f.toString('utf8')).find((f) => f.includes(`Subject: ${subject}\n`))
  expect(file, `delivered message ${subject}`).toBeDefined()
  return file!.slice(file!.indexOf('From: a@example.com\n'))
}

describe('against Postfix', () => {
  let postfix: PostfixServer
  beforeAll(async () => {
    postfix = await startPostfix()
  })
  afterAll(() => postfix.stop())

  it('pipelines queued BDAT and DATA transactions, delivering exactly the bytes sent', async () => {
    const log: SmtpLogEntry[] = []
    const client = await SmtpClient.connect({
      host: postfix.host,
      port: postfix.port,
      onLog: (e) => log.push(e),
    })
    const ext = client.capabilities.extensions
    for (const k of ['PIPELINING', 'CHUNKING', '8BITMIME', 'DSN', 'SMTPUTF8', 'SIZE'])
      expect(ext).toHaveProperty(k)
    const bodies = {
      'bdat-one': 'Plain body.\r\n',
      'bdat-two': '.leading dot\r\n..two dots\r\nbare LF\nbare CR\rend\r\n',
      'bdat-utf8': 'Grüße aus Köln\r\n',
    }
    const results = await Promise.all(
      Object.entries(bodies).map(([subject, body], i) =>
        client.send(
          {
            from: 'a@example.com',
            to: [`r${i}@example.org`],
            dsn: { notify: ['FAILURE'], orcpt: true, ret: 'HDRS' },
          },
          message(subject, body),
        ),
      ),
    )
    expect(results.map((r) => r.accepted)).toEqual([
      ['r0@example.org'],
      ['r1@example.org'],
      ['r2@example.org'],
    ])
    expect(log.filter((e) => e.line.startsWith('BDAT'))).toHaveLength(3)
    await client.quit()

    const data = await SmtpClient.connect({
      host: postfix.host,
      port: postfix.port,
      preferData: true,
    })
    const viaData = message('via-data', '.dot\r\nline\n')
    await data.send({ from: 'a@example.com', to: ['s@example.org'] }, viaData)
    await data.quit()

    const files = await postfix.waitForDelivered(4)
    for (const [subject, body] of Object.entries(bodies)) {
      const sent = message(subject, body).replace(/\r\n|\r|\n/g, '\r\n')
      expect(delivered(files, subject)).toBe(sent.replace(/\r\n/g, '\n'))
    }
    expect(delivered(files, 'via-data')).toBe(viaData.replace(/\r\n|\n/g, '\n'))
  })

  it('sends a large message in bounded chunks, with DATA and with BDAT', async () => {
    const line = `${'0123456789'.repeat(7)}\r\n`
    const body = line.repeat(Math.ceil((3 * 1024 * 1024) / line.length))
    const log: SmtpLogEntry[] = []
    const client = await SmtpClient.connect({
      host: postfix.host,
      port: postfix.port,
      onLog: (e) => log.push(e),
    })
    await client.send(
      { from: 'a@example.com', to: ['big1@example.org'] },
      message('big-bdat', body),
    )
    await client.quit()
    expect(log.filter((e) => e.line.startsWith('BDAT')).length).toBeGreaterThan(1)
    const data = await SmtpClient.connect({
      host: postfix.host,
      port: postfix.port,
      preferData: true,
    })
    await data.send(
      { from: 'a@example.com', to: ['big2@example.org'] },
      Buffer.from(message('big-data', body)),
    )
    await data.quit()
    const files = await postfix.waitForDelivered(6)
    const expected = message('x', body)
      .replace(/\r\n/g, '\n')
      .slice(message('x', '').length - 2)
    for (const subject of ['big-bdat', 'big-data']) {
      const got = delivered(files, subject)
      expect(got.length).toBe(message(subject, body).replace(/\r\n/g, '\n').length)
      expect(got.endsWith(expected)).toBe(true)
    }
  })
})
