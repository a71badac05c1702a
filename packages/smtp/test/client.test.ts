import { type ScriptedConnection, startScriptedServer } from '@mail/testkit'
import { describe, expect, it } from 'vitest'
import { SmtpClient, SmtpError } from '../src/index.js'
import { answerQuit } from './helpers/scripts.js'

async function server(script: (c: ScriptedConnection) => Promise<void>) {
  return startScriptedServer(async (c) => {
    c.write('220 mx.test\r\n')
    await c.readLine()
    c.write('250-mx.test\r\n250 PIPELINING\r\n')
    await script(c)
  })
}

describe('SmtpClient', () => {
  it('rejects bad input before connecting', async () => {
    await expect(SmtpClient.connect({ host: 'a\r\nb' })).rejects.toMatchObject({ stage: 'input' })
  })

  it('rejects an unknown option before connecting, naming it and what to write instead', async () => {
    const e = await SmtpClient.connect({ host: '127.0.0.1', secure: true } as never).catch(
      (x: unknown) => x,
    )
    expect(e).toMatchObject({ name: 'SmtpError', stage: 'input', field: 'secure' })
    expect((e as Error).message).toMatch(/security: 'implicit'/)
  })

  it('reports a refused connection as a transient connect error', async () => {
    const s = await startScriptedServer(() => {})
    const port = s.port
    await s.stop()
    const e = await SmtpClient.connect({ host: '127.0.0.1', port }).catch((x: unknown) => x)
    expect(e).toBeInstanceOf(SmtpError)
    expect(e).toMatchObject({ stage: 'connect', transient: true, code: undefined })
  })

  it('rejects a send with bad envelope input without writing anything', async () => {
    const s = await server(answerQuit)
    const client = await SmtpClient.connect({ host: '127.0.0.1', port: s.port, name: 'c.test' })
    await expect(
      client.send({ from: 'a@x.test', to: ['b@x.test\r\nRCPT TO:<evil@x.test>'] }, 'x'),
    ).rejects.toMatchObject({
      stage: 'input',
    })
    await expect(
      client.send({ from: 'a@x.test', to: ['b@x.test'] }, 42 as never),
    ).rejects.toMatchObject({ stage: 'input' })
    await client.quit()
    await s.done()
    await s.stop()
  })

  it('withdraws a queued send whose signal aborts and keeps the connection', async () => {
    const s = await server(async (c) => {
      await c.readUntil('DATA\r\n')
      c.write('250 ok\r\n250 ok\r\n354 go\r\n')
      await c.readUntil('\r\n.\r\n')
      c.write('250 sent\r\n')
      await answerQuit(c)
    })
    const client = await SmtpClient.connect({ host: '127.0.0.1', port: s.port, name: 'c.test' })
    const controller = new AbortController()
    const first = client.send({ from: 'a@x.test', to: ['b@x.test'] }, 'one\r\n')
    const second = client.send({ from: 'a@x.test', to: ['b@x.test'] }, 'two\r\n', {
      signal: controller.signal,
    })
    controller.abort()
    await expect(second).rejects.toMatchObject({ message: 'The operation was aborted' })
    expect((await first).response).toBe('250 sent')
    expect(client.usable).toBe(true)
    await client.quit()
    await s.done()
    await s.stop()
  })

  it('closes at once on close(), failing pending sends as transient', async () => {
    const s = await server(async (c) => {
      await c.readUntil('DATA\r\n').catch(() => {})
    })
    const client = await SmtpClient.connect({ host: '127.0.0.1', port: s.port, name: 'c.test' })
    const pending = client.send({ from: 'a@x.test', to: ['b@x.test'] }, 'x\r\n')
    client.close()
    await expect(pending).rejects.toMatchObject({ transient: true, deliveryUnknown: false })
    expect(client.usable).toBe(false)
    await client.quit()
    await s.stop()
  })

  it('refuses a beforeEnd that is not a function, or an option it does not know, without writing anything', async () => {
    const s = await server(answerQuit)
    const client = await SmtpClient.connect({ host: '127.0.0.1', port: s.port, name: 'c.test' })
    const envelope = { from: 'a@x.test', to: ['b@x.test'] }
    await expect(client.send(envelope, 'x', { beforeEnd: 'soon' as never })).rejects.toMatchObject({
      stage: 'input',
      field: 'beforeEnd',
    })
    await expect(
      client.send(envelope, 'x', { onprogress: () => {} } as never),
    ).rejects.toMatchObject({
      stage: 'input',
      field: 'options.onprogress',
      message: expect.stringContaining('options.onprogress is not an option of send'),
    })
    await client.quit()
    await s.done()
    await s.stop()
  })
})
