import { createServer, type Socket } from 'node:net'
import type { Readable } from 'node:stream'
import { startAiosmtpd, startScriptedServer, startStreamSink } from '@mail/testkit'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { SmtpClient, type SmtpError } from '../../src/index.js'
import { dotStuff, normalizeLines } from '../helpers/data.js'
import { bytes, cut, latin1, streamOf } from '../helpers/streams.js'

// Streamed messages over real sockets: the octets arrive as the same message in memory would,
// with DATA (aiosmtpd) and BDAT (a streaming sink); abort, a stalled server and a refused send.

const ENV = { from: 'a@example.com', to: ['b@example.org'] }

/** Lines of every kind the encoders care about, cut into chunks at the given offsets. */
const content = fc
  .array(fc.constantFrom('a', 'b', '.', '\r', '\n', '\r\n', '\r\n.', '..', ' '), {
    minLength: 1,
    maxLength: 400,
  })
  .map((a) => bytes(a.join('')))
const cuts = fc.array(fc.nat(400), { maxLength: 20 })

/** Lines that all end in CRLF, dots among them: content a source may declare `crlf` for. */
const crlfContent = fc
  .array(fc.stringMatching(/^[ab. ]{0,12}$/), { minLength: 1, maxLength: 40 })
  .map((lines) => bytes(lines.map((l) => `${l}\r\n`).join('')))

/**
 * Streams 25 generated messages, each cut into random chunks, over `client`; returns them in
 * order. With `crlf`, the content's lines all end in CRLF and the source says so.
 */
async function sendGenerated(client: SmtpClient, crlf = false): Promise<Uint8Array[]> {
  const sent: Uint8Array[] = []
  await fc.assert(
    fc.asyncProperty(crlf ? crlfContent : content, cuts, async (whole, offsets) => {
      const { stream } = streamOf(cut(whole, offsets))
      await client.send(ENV, crlf ? { stream: () => stream, crlf: true } : stream)
      sent.push(whole)
    }),
    { numRuns: 25 },
  )
  return sent
}

describe('a streamed message over a real socket', () => {
  it.each([
    ['', false],
    [', from a source that declares crlf', true],
  ])('arrives through DATA as the same octets as in memory%s (aiosmtpd)', async (_, crlf) => {
    const server = await startAiosmtpd({ security: 'none' })
    const client = await SmtpClient.connect({
      host: server.host,
      port: server.port,
      security: 'none',
    })
    try {
      const sent = await sendGenerated(client, crlf)
      const got = await server.waitFor(sent.length)
      // aiosmtpd gives the data dot-unstuffed: the normalised message, CRLF-terminated.
      for (let i = 0; i < sent.length; i++) {
        const stuffed = latin1(dotStuff(sent[i]!))
        const expected = stuffed.slice(0, -3).replace(/(^|\r\n)\./g, '$1')
        expect(got[i]!.data.toString('latin1')).toBe(expected)
      }
    } finally {
      await client.quit()
      await server.stop()
    }
  })

  it.each([
    ['', false],
    [', from a source that declares crlf', true],
  ])('arrives through BDAT as the normalised octets%s (a streaming sink)', async (_, crlf) => {
    const sink = await startStreamSink({
      chunking: true,
      consume: async (m: Readable) => {
        const chunks: Buffer[] = []
        for await (const c of m) chunks.push(c as Buffer)
        return Buffer.concat(chunks).toString('latin1')
      },
    })
    const client = await SmtpClient.connect({
      host: '127.0.0.1',
      port: sink.port,
      security: 'none',
    })
    try {
      const sent = await sendGenerated(client, crlf)
      expect(sink.results.map((r) => r.value)).toEqual(sent.map((s) => latin1(normalizeLines(s))))
      expect(sink.results.every((r) => r.envelope.via === 'BDAT')).toBe(true)
    } finally {
      await client.quit()
      await sink.stop()
    }
  })

  it('stops reading and closes the connection when aborted mid-stream', async () => {
    const server = await startAiosmtpd({ security: 'none' })
    const client = await SmtpClient.connect({
      host: server.host,
      port: server.port,
      security: 'none',
    })
    try {
      const controller = new AbortController()
      const chunk = bytes(`${'x'.repeat(998)}\r\n`.repeat(64))
      // Endless: a chunk per read, and the send is aborted once three were taken.
      let pulls = 0
      let cancelled: unknown
      const stream = new ReadableStream<Uint8Array>(
        {
          pull(c) {
            if (++pulls === 3) controller.abort(new Error('enough'))
            c.enqueue(chunk)
          },
          cancel(reason) {
            cancelled = reason ?? 'cancelled'
          },
        },
        { highWaterMark: 0 },
      )
      const error = (await client
        .send(ENV, stream, { signal: controller.signal })
        .catch((e: unknown) => e)) as SmtpError
      expect(error).toMatchObject({ name: 'SmtpError', transient: true, deliveryUnknown: false })
      expect(cancelled).toBeDefined()
      expect(client.usable).toBe(false)
      expect(await server.received()).toEqual([])
    } finally {
      client.close()
      await server.stop()
    }
  })

  it('times out when the server takes no more data, after timeouts.data', async () => {
    // A server that accepts the transaction, then stops reading: the socket's buffers fill.
    const sockets = new Set<Socket>()
    const server = createServer((socket) => {
      sockets.add(socket)
      let buffered = ''
      socket.write('220 stalling ESMTP\r\n')
      socket.on('data', (chunk: Buffer) => {
        buffered += chunk.toString('latin1')
        const lines = buffered.split('\r\n')
        buffered = lines.pop() ?? ''
        for (const line of lines) {
          const verb = line.slice(0, 4).toUpperCase()
          if (verb === 'EHLO') socket.write('250-stalling\r\n250 PIPELINING\r\n')
          else if (verb === 'DATA') {
            socket.write('354 go\r\n')
            socket.pause()
            return
          } else socket.write('250 ok\r\n')
        }
      })
      socket.on('error', () => {})
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const { port } = server.address() as { port: number }
    const client = await SmtpClient.connect({
      host: '127.0.0.1',
      port,
      security: 'none',
      timeouts: { data: 300 },
    })
    try {
      let pulled = 0
      const chunk = bytes(`${'y'.repeat(76)}\r\n`.repeat(2048))
      const stream = new ReadableStream<Uint8Array>(
        {
          pull(c) {
            pulled += chunk.length
            c.enqueue(chunk)
          },
        },
        { highWaterMark: 0 },
      )
      const error = (await client.send(ENV, stream).catch((e: unknown) => e)) as SmtpError
      expect(error.message).toMatch(
        /Timed out after 300 ms waiting for the server to take more data/,
      )
      expect(error).toMatchObject({ stage: 'data', transient: true, deliveryUnknown: false })
      // Read only as fast as the socket took it: the kernel's buffers and about 1 MiB more.
      expect(pulled).toBeLessThan(64 * 1024 * 1024)
    } finally {
      client.close()
      for (const s of sockets) s.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
  })

  it('cancels a stream it was given when the send fails before reading it', async () => {
    const server = await startScriptedServer(async (c) => {
      c.write('220 hi\r\n')
      await c.readLine()
      c.write('250-hi\r\n250 PIPELINING\r\n')
      await c.readLine()
      await c.readLine()
      await c.readLine()
      c.write('250 ok\r\n550 5.1.1 no such user\r\n554 5.5.1 no valid recipients\r\n')
      await c.readLine()
      c.write('221 bye\r\n')
      c.end()
    })
    const client = await SmtpClient.connect({
      host: '127.0.0.1',
      port: server.port,
      security: 'none',
    })
    const source = streamOf([bytes('hi\r\n')])
    const error = (await client.send(ENV, source.stream).catch((e: unknown) => e)) as SmtpError
    expect(error).toMatchObject({ stage: 'rcpt' })
    expect(source.pulls).toBe(0)
    expect(source.cancelled).toBe(error)
    await client.quit()
    await server.done()
    await server.stop()
  })
})
