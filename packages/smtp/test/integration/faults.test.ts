import { type ScriptedConnection, startScriptedServer } from '@mail/testkit'
import { afterEach, describe, expect, it } from 'vitest'
import { SmtpClient, type SmtpConnectOptions, type SmtpError } from '../../src/index.js'

type Script = (c: ScriptedConnection) => Promise<void> | void
const servers: { stop(): Promise<void> }[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.stop()))
})

/** Runs a scripted server and returns its port plus what the client wrote, once the script ends. */
async function scripted(script: Script, opts?: { tls?: boolean }) {
  let conn: ScriptedConnection | undefined
  const server = await startScriptedServer(async (c) => {
    conn = c
    await script(c)
  }, opts)
  servers.push(server)
  return {
    port: server.port,
    ca: server.ca,
    async wrote(): Promise<string> {
      await server.done()
      return conn!.received.toString('latin1')
    },
  }
}

const tick = () => new Promise((r) => setTimeout(r, 20))
const connect = (port: number, extra: Partial<SmtpConnectOptions> = {}) =>
  SmtpClient.connect({ host: '127.0.0.1', port, name: 'client.test', security: 'none', ...extra })
const failure = (p: Promise<unknown>) =>
  p.then(
    () => expect.fail('should have failed'),
    (e: unknown) => e as SmtpError,
  )

/** The end of a script: reads the client's last command (its QUIT) and answers 221, closing. */
async function bye(c: ScriptedConnection): Promise<void> {
  await c.readLine()
  c.write('221 bye\r\n')
  c.end()
}

/** A server that greets and answers EHLO with `ext`, then runs `rest`. */
const esmtp =
  (ext: string[], rest: Script = () => {}): Script =>
  async (c) => {
    c.write('220 mx.test ESMTP\r\n')
    await c.readLine()
    const lines = ['mx.test', ...ext]
    c.write(lines.map((l, i) => `250${i === lines.length - 1 ? ' ' : '-'}${l}\r\n`).join(''))
    await rest(c)
  }

describe('scripted faults', () => {
  it('reports a 554 greeting and says QUIT', async () => {
    const s = await scripted(async (c) => {
      c.write('554 5.3.2 no service\r\n')
      await bye(c)
    })
    const e = await failure(connect(s.port))
    expect(e).toMatchObject({
      stage: 'greeting',
      code: 554,
      enhancedCode: '5.3.2',
      permanent: true,
      transient: false,
    })
    expect(await s.wrote()).toBe('QUIT\r\n')
  })

  it('reports a close right after the greeting as a transient loss', async () => {
    const s = await scripted(async (c) => {
      c.write('220 mx.test\r\n')
      await c.readLine()
      c.end()
    })
    const e = await failure(connect(s.port))
    expect(e).toMatchObject({ stage: 'ehlo', transient: true, deliveryUnknown: false })
    expect(e.message).toMatch(/Connection lost while waiting for the reply to EHLO/)
    expect(await s.wrote()).toBe('EHLO client.test\r\n')
  })

  it('closes cleanly on 421 after EHLO', async () => {
    const s = await scripted(async (c) => {
      c.write('220 mx.test\r\n')
      await c.readLine()
      c.write('421 4.7.0 try later\r\n')
      c.end()
    })
    const e = await failure(connect(s.port))
    expect(e).toMatchObject({ stage: 'ehlo', code: 421, transient: true, command: 'EHLO' })
    expect(await s.wrote()).toBe('EHLO client.test\r\n')
  })

  it('times out on a server that never answers, naming the step, and closes the socket', async () => {
    const s = await scripted(async (c) => {
      await c.readLine().catch(() => {})
    })
    const e = await failure(connect(s.port, { timeouts: { greeting: 200 } }))
    expect(e).toMatchObject({ stage: 'greeting', transient: true })
    expect(e.message).toMatch(/Timed out after 200 ms waiting for the reply to greeting/)
    expect(await s.wrote()).toBe('')
  })

  it('parses replies split across packets', async () => {
    const s = await scripted(async (c) => {
      for (const part of ['22', '0 mx.test\r', '\n']) {
        c.write(part)
        await tick()
      }
      await c.readLine()
      for (const part of ['250-mx.test\r\n250-SI', 'ZE 1000\r\n2', '50 PIPELINING\r\n']) {
        c.write(part)
        await tick()
      }
      await bye(c)
    })
    const client = await connect(s.port)
    expect(client.capabilities).toEqual({
      extensions: { SIZE: ['1000'], PIPELINING: [] },
      size: 1000,
      auth: [],
    })
    await client.quit()
    expect(await s.wrote()).toBe('EHLO client.test\r\nQUIT\r\n')
  })

  it('reports mixed RCPT replies per recipient and rejects when all are refused', async () => {
    const s = await scripted(
      esmtp(['PIPELINING'], async (c) => {
        await c.readUntil('DATA\r\n')
        c.write('250 ok\r\n250 ok\r\n450 4.2.1 busy\r\n550 5.1.1 unknown\r\n354 go\r\n')
        await c.readUntil('\r\n.\r\n')
        c.write('250 2.0.0 queued\r\n')
        await c.readUntil('DATA\r\n')
        c.write('250 ok\r\n550 5.1.1 unknown\r\n554 5.5.1 no valid recipients\r\n')
        await c.readLine()
        c.write('250 reset\r\n')
        await bye(c)
      }),
    )
    const client = await connect(s.port)
    const result = await client.send(
      { from: 'a@x.test', to: ['b@x.test', 'c@x.test', 'd@x.test'] },
      'Hi\r\n',
    )
    expect(result).toEqual({
      accepted: ['b@x.test'],
      rejected: [
        { address: 'c@x.test', code: 450, enhancedCode: '4.2.1', message: 'busy' },
        { address: 'd@x.test', code: 550, enhancedCode: '5.1.1', message: 'unknown' },
      ],
      response: '250 2.0.0 queued',
    })
    const e = await failure(client.send({ from: 'a@x.test', to: ['e@x.test'] }, 'Hi\r\n'))
    expect(e).toMatchObject({ stage: 'rcpt', code: 550, permanent: true })
    expect(e.rejected).toEqual([
      { address: 'e@x.test', code: 550, enhancedCode: '5.1.1', message: 'unknown' },
    ])
    await client.reset()
    await client.quit()
    expect(await s.wrote()).toBe(
      'EHLO client.test\r\n' +
        'MAIL FROM:<a@x.test>\r\nRCPT TO:<b@x.test>\r\nRCPT TO:<c@x.test>\r\nRCPT TO:<d@x.test>\r\nDATA\r\n' +
        'Hi\r\n.\r\n' +
        'MAIL FROM:<a@x.test>\r\nRCPT TO:<e@x.test>\r\nDATA\r\n' +
        'RSET\r\nQUIT\r\n',
    )
  })

  it('reports 552 on DATA and keeps the connection usable', async () => {
    const s = await scripted(
      esmtp([], async (c) => {
        await c.readLine()
        c.write('250 ok\r\n')
        await c.readLine()
        c.write('250 ok\r\n')
        await c.readLine()
        c.write('552 5.3.4 message too big\r\n')
        await c.readLine()
        c.write('250 ok\r\n')
        await bye(c)
      }),
    )
    const client = await connect(s.port)
    const e = await failure(client.send({ from: 'a@x.test', to: ['b@x.test'] }, 'Hi\r\n'))
    expect(e).toMatchObject({ stage: 'data', code: 552, command: 'DATA', enhancedCode: '5.3.4' })
    expect(client.usable).toBe(true)
    await client.noop()
    await client.quit()
    expect(await s.wrote()).toBe(
      'EHLO client.test\r\nMAIL FROM:<a@x.test>\r\nRCPT TO:<b@x.test>\r\nDATA\r\nNOOP\r\nQUIT\r\n',
    )
  })

  it('sends neither AUTH nor MAIL when STARTTLS is required but not offered', async () => {
    const s = await scripted(
      esmtp(['AUTH PLAIN LOGIN'], async (c) => {
        await bye(c)
      }),
    )
    const e = await failure(
      SmtpClient.connect({
        host: '127.0.0.1',
        port: s.port,
        name: 'client.test',
        security: 'starttls',
        auth: { user: 'u', pass: 'p' },
      }),
    )
    expect(e).toMatchObject({ stage: 'starttls' })
    expect(await s.wrote()).toBe('EHLO client.test\r\nQUIT\r\n')
  })

  it('ends the session when the STARTTLS handshake fails', async () => {
    const s = await scripted(
      esmtp(['STARTTLS'], async (c) => {
        await c.readLine()
        c.write('220 go ahead\r\n')
        // The first octet of the client's TLS hello: it took the 220 and is in the handshake.
        await c.read(1)
        c.write('this is not TLS at all\r\n')
        await c.readLine().catch(() => {})
      }),
    )
    const e = await failure(
      connect(s.port, { security: 'starttls', auth: { user: 'u', pass: 'p' } }),
    )
    expect(e).toMatchObject({ stage: 'tls' })
    const wrote = await s.wrote()
    expect(wrote.startsWith('EHLO client.test\r\nSTARTTLS\r\n')).toBe(true)
    expect(wrote).not.toMatch(/AUTH|MAIL/)
  })

  it('upgrades with STARTTLS against a scripted server and verifies with the given CA', async () => {
    const s = await scripted(
      esmtp(['STARTTLS'], async (c) => {
        await c.readLine()
        c.write('220 go ahead\r\n')
        await c.startTls()
        await c.readLine()
        c.write('250-mx.test\r\n250 AUTH PLAIN\r\n')
        await c.readLine()
        c.write('235 ok\r\n')
        await bye(c)
      }),
    )
    const client = await SmtpClient.connect({
      host: 'localhost',
      port: s.port,
      name: 'client.test',
      tls: { ca: s.ca },
      auth: { user: 'u', pass: 'p' },
    })
    expect(client.secure).toBe(true)
    await client.quit()
    expect(await s.wrote()).toBe(
      `EHLO client.test\r\nSTARTTLS\r\nEHLO client.test\r\nAUTH PLAIN ${btoa('\0u\0p')}\r\nQUIT\r\n`,
    )
  })

  it('falls back to HELO when EHLO is refused', async () => {
    const s = await scripted(async (c) => {
      c.write('220 old.test\r\n')
      await c.readLine()
      c.write('500 5.5.1 what?\r\n')
      await c.readLine()
      c.write('250 old.test\r\n')
      await bye(c)
    })
    const client = await connect(s.port)
    expect(client.capabilities.extensions).toEqual({})
    await client.quit()
    expect(await s.wrote()).toBe('EHLO client.test\r\nHELO client.test\r\nQUIT\r\n')
  })

  it('refuses a message larger than SIZE without sending MAIL', async () => {
    const s = await scripted(
      esmtp(['SIZE 10'], async (c) => {
        await bye(c)
      }),
    )
    const client = await connect(s.port)
    const e = await failure(client.send({ from: 'a@x.test', to: ['b@x.test'] }, 'x'.repeat(11)))
    expect(e.stage).toBe('mail')
    await client.quit()
    expect(await s.wrote()).toBe('EHLO client.test\r\nQUIT\r\n')
  })

  it('puts only CRLF line ends and stuffed dots on the wire for bare LF, bare CR and lone dots', async () => {
    const s = await scripted(
      esmtp(['PIPELINING', '8BITMIME'], async (c) => {
        await c.readUntil('DATA\r\n')
        c.write('250 ok\r\n250 ok\r\n354 go\r\n')
        await c.readUntil('\r\n.\r\n')
        c.write('250 ok\r\n')
        await bye(c)
      }),
    )
    const client = await connect(s.port)
    await client.send(
      { from: 'a@x.test', to: ['b@x.test'] },
      'Subject: t\n\n.\nline\r.\r\n.\rMAIL FROM:<evil@x.test>\n\r\n.\r\n..end',
    )
    await client.quit()
    expect(await s.wrote()).toBe(
      'EHLO client.test\r\nMAIL FROM:<a@x.test>\r\nRCPT TO:<b@x.test>\r\nDATA\r\n' +
        'Subject: t\r\n\r\n..\r\nline\r\n..\r\n..\r\nMAIL FROM:<evil@x.test>\r\n\r\n..\r\n...end\r\n.\r\n' +
        'QUIT\r\n',
    )
  })

  it('marks delivery unknown when the connection drops after the end of data', async () => {
    const s = await scripted(
      esmtp(['PIPELINING'], async (c) => {
        await c.readUntil('DATA\r\n')
        c.write('250 ok\r\n250 ok\r\n354 go\r\n')
        await c.readUntil('\r\n.\r\n')
        c.destroy()
      }),
    )
    const client = await connect(s.port)
    const e = await failure(client.send({ from: 'a@x.test', to: ['b@x.test'] }, 'Hi\r\n'))
    expect(e).toMatchObject({ stage: 'message', deliveryUnknown: true, transient: true })
    expect(client.usable).toBe(false)
  })

  it('reports a loss before the end of data was sent as transient, not as delivery unknown', async () => {
    const s = await scripted(
      esmtp(['PIPELINING'], async (c) => {
        await c.readUntil('DATA\r\n')
        c.write('250 ok\r\n250 ok\r\n354 go\r\n')
        // The first line of the body has arrived; the rest (30 MB) has not: drop.
        await c.readUntil('first line\r\n')
        c.destroy()
      }),
    )
    const client = await connect(s.port)
    const body = `Subject: big\r\n\r\nfirst line\r\n${'x'.repeat(98)}\r\n`.repeat(1)
    const message = body + `${'y'.repeat(998)}\r\n`.repeat(30_000)
    const e = await failure(client.send({ from: 'a@x.test', to: ['b@x.test'] }, message))
    expect(e).toMatchObject({ stage: 'message', deliveryUnknown: false, transient: true })
    expect(e.message).not.toContain('may have been delivered')
  })

  it('marks the sends still queued behind a lost transaction as not started', async () => {
    const s = await scripted(
      esmtp([], async (c) => {
        await c.readLine() // MAIL of the first send; without PIPELINING the second waits
        c.destroy()
      }),
    )
    const client = await connect(s.port)
    const envelope = { from: 'a@x.test', to: ['b@x.test'] }
    const [first, second] = await Promise.all([
      failure(client.send(envelope, 'one\r\n')),
      failure(client.send(envelope, 'two\r\n')),
    ])
    expect(first).toMatchObject({ stage: 'mail', transient: true, notStarted: false })
    expect(second).toMatchObject({ stage: 'mail', transient: true, notStarted: true })
    expect(second.message).toBe(first.message)
    const late = await failure(client.send(envelope, 'three\r\n'))
    expect(late).toMatchObject({ transient: true, notStarted: true })
    expect(await s.wrote()).toBe('EHLO client.test\r\nMAIL FROM:<a@x.test>\r\n')
  })

  /** What an implicit-TLS connection to a server that greets in plaintext rejects with. */
  async function implicitMeetsPlaintext(): Promise<SmtpError> {
    const s = await scripted(async (c) => {
      c.write('220 mx.test ESMTP\r\n')
      await c.readLine().catch(() => {})
    })
    return failure(connect(s.port, { security: 'implicit' }))
  }

  it("suggests security 'starttls' when implicit TLS meets a plaintext greeting", async () => {
    const e = await implicitMeetsPlaintext()
    expect(e).toMatchObject({ stage: 'tls' })
    expect(e.message).toMatch(/security: 'starttls'/)
  })

  it("says which fix applies when implicit TLS meets a plaintext greeting: 'use-starttls'", async () => {
    const e = await implicitMeetsPlaintext()
    expect(e).toMatchObject({ stage: 'tls', hint: 'use-starttls' })
  })
})
