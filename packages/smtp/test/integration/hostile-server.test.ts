import { resolve } from 'node:path'
import { lastJsonLine, run, startScriptedServer } from '@mail/testkit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bundle } from '../helpers/child.js'

const MB = 1024 * 1024

describe('a hostile server', () => {
  let child: Awaited<ReturnType<typeof bundle>>
  beforeAll(async () => {
    child = await bundle(resolve(import.meta.dirname, '../fixtures/endless-reply-client.ts'))
  })
  afterAll(() => child.remove())

  it('cannot exhaust memory with an endless multiline EHLO reply: the connect fails within the command timeout', async () => {
    let sent = 0
    const server = await startScriptedServer(async (c) => {
      c.write('220 mx.test ESMTP\r\n')
      await c.readLine()
      let closed = false
      const over = () => {
        closed = true
      }
      c.readLine().then(over, over)
      const block = Buffer.from(`250-${'x'.repeat(60)}\r\n`.repeat(1024))
      // '250-...' without end, up to 64 MiB, as fast as the client reads: a client without a
      // bound reads every line, one with a bound closes after it.
      while (!closed && sent < 64 * MB) {
        c.write(block)
        sent += block.length
        await c.drained()
      }
    })
    const command = 20_000
    const result = await run(process.execPath, [
      '--max-old-space-size=192',
      child.file,
      String(server.port),
      String(command),
    ])
    await server.stop()
    expect(result.code, result.stderr).toBe(0)
    const r = lastJsonLine<{
      smtpError: boolean
      stage: string
      message: string
      ms: number
      heapBefore: number
      heapPeak: number
      maxRss: number
    }>(result)
    expect(r).toMatchObject({ smtpError: true, stage: 'ehlo' })
    expect(r.message).toMatch(/Reply too long: a reply may have at most 512 lines/)
    expect(r.ms).toBeLessThan(command)
    // Flat: the reply is dropped at its bound, nowhere near the 192 MB heap.
    expect(r.heapPeak - r.heapBefore).toBeLessThan(16 * MB)
    expect(r.maxRss).toBeLessThan(160 * MB)
    expect(sent).toBeLessThan(64 * MB)
  })
})
