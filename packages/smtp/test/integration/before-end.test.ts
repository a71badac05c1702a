import {
  type AiosmtpdServer,
  type ScriptedConnection,
  startAiosmtpd,
  startScriptedServer,
} from '@mail/testkit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SmtpClient, type SmtpError } from '../../src/index.js'
import { answerQuit } from '../helpers/scripts.js'

const raw = (subject: string) =>
  `From: a@example.com\r\nTo: b@example.org\r\nSubject: ${subject}\r\n\r\nHello.\r\n`

describe('beforeEnd against aiosmtpd (DATA)', () => {
  let server: AiosmtpdServer
  beforeAll(async () => {
    server = await startAiosmtpd({ security: 'none' })
  })
  afterAll(() => server.stop())

  it('runs before the end of data: the message arrives only after it resolved', async () => {
    const client = await SmtpClient.connect({
      host: server.host,
      port: server.port,
      security: 'none',
    })
    const before = (await server.received()).length
    let seenDuringHook = -1
    const message = raw('after the hook')
    const result = await client.send({ from: 'a@example.com', to: ['b@example.org'] }, message, {
      beforeEnd: async () => {
        seenDuringHook = (await server.received()).length
      },
    })
    expect(seenDuringHook).toBe(before)
    expect(result.accepted).toEqual(['b@example.org'])
    const got = await server.waitFor(before + 1)
    expect(got.at(-1)!.data.toString('latin1')).toBe(message)
    await client.quit()
  })

  it('delivers nothing when it rejects, and the send fails as transient with its cause', async () => {
    const client = await SmtpClient.connect({
      host: server.host,
      port: server.port,
      security: 'none',
    })
    const before = (await server.received()).length
    const cause = new Error('could not record the attempt')
    const abandoned = client.send(
      { from: 'a@example.com', to: ['b@example.org'] },
      raw('abandoned'),
      {
        beforeEnd: () => Promise.reject(cause),
      },
    )
    const behind = client.send({ from: 'a@example.com', to: ['b@example.org'] }, raw('behind'))
    const e = (await abandoned.catch((x: unknown) => x)) as SmtpError
    expect(e).toMatchObject({
      name: 'SmtpError',
      stage: 'data',
      transient: true,
      deliveryUnknown: false,
      cause,
    })
    await expect(behind).rejects.toMatchObject({ transient: true, deliveryUnknown: false })
    expect(client.usable).toBe(false)
    // A later message on a new connection arrives; the abandoned one never does.
    const again = await SmtpClient.connect({
      host: server.host,
      port: server.port,
      security: 'none',
    })
    await again.send({ from: 'a@example.com', to: ['b@example.org'] }, raw('later'))
    await again.quit()
    const got = (await server.waitFor(before + 1)).slice(before)
    expect(got.map((m) => m.data.toString('latin1'))).toEqual([raw('later')])
  })
})

describe('beforeEnd against a scripted server (BDAT)', () => {
  const servers: { stop(): Promise<void> }[] = []
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()))
  })

  async function chunking(script: (c: ScriptedConnection) => Promise<void>) {
    let conn: ScriptedConnection | undefined
    const server = await startScriptedServer(async (c) => {
      conn = c
      c.write('220 mx.test ESMTP\r\n')
      await c.readLine()
      c.write('250-mx.test\r\n250-PIPELINING\r\n250 CHUNKING\r\n')
      await script(c)
    })
    servers.push(server)
    return {
      port: server.port,
      async wrote() {
        await server.done()
        return conn!.received.toString('latin1')
      },
    }
  }

  it('sends the content, runs, then ends with BDAT 0 LAST', async () => {
    const message = raw('chunked')
    const n = message.length
    let hookRanAfterContent = false
    let contentArrived = false
    const s = await chunking(async (c) => {
      await c.readUntil(`BDAT ${n}\r\n`)
      await c.readUntil('Hello.\r\n')
      contentArrived = true
      c.write(`250 ok\r\n250 ok\r\n250 ${n} octets\r\n`)
      expect(await c.readLine()).toBe('BDAT 0 LAST')
      c.write('250 2.0.0 queued\r\n')
      await answerQuit(c)
    })
    const client = await SmtpClient.connect({
      host: '127.0.0.1',
      port: s.port,
      name: 'client.test',
    })
    const result = await client.send({ from: 'a@example.com', to: ['b@example.org'] }, message, {
      beforeEnd: async () => {
        hookRanAfterContent = contentArrived
      },
    })
    expect(result.response).toBe('250 2.0.0 queued')
    expect(hookRanAfterContent).toBe(true)
    await client.quit()
    expect(await s.wrote()).toBe(
      `EHLO client.test\r\nMAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.org>\r\nBDAT ${n}\r\n${message}BDAT 0 LAST\r\nQUIT\r\n`,
    )
  })

  it('resets instead of ending when it rejects, and the connection goes on', async () => {
    const first = raw('dropped')
    const second = raw('kept')
    const s = await chunking(async (c) => {
      await c.readUntil(first)
      c.write(`250 ok\r\n250 ok\r\n250 ${first.length} octets\r\n`)
      await c.readUntil(second)
      c.write(`250 reset\r\n250 ok\r\n250 ok\r\n250 2.0.0 queued\r\n`)
      await answerQuit(c)
    })
    const client = await SmtpClient.connect({
      host: '127.0.0.1',
      port: s.port,
      name: 'client.test',
    })
    const envelope = { from: 'a@example.com', to: ['b@example.org'] }
    const dropped = client.send(envelope, first, {
      beforeEnd: () => Promise.reject(new Error('no')),
    })
    const kept = client.send(envelope, second)
    await expect(dropped).rejects.toMatchObject({ stage: 'data', command: 'BDAT', transient: true })
    expect((await kept).response).toBe('250 2.0.0 queued')
    expect(client.usable).toBe(true)
    await client.quit()
    const wrote = await s.wrote()
    expect(wrote).not.toContain('LAST\r\n' + first)
    expect(wrote).toBe(
      'EHLO client.test\r\n' +
        `MAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.org>\r\nBDAT ${first.length}\r\n${first}` +
        `RSET\r\nMAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.org>\r\nBDAT ${second.length} LAST\r\n${second}` +
        'QUIT\r\n',
    )
  })
})
