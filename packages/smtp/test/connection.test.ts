import { type AiosmtpdServer, startAiosmtpd } from '@mail/testkit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SmtpClient } from '../src/index.js'
import { nodeSockets } from '../src/socket/node.js'
import type { SmtpSocket, SocketAdapter } from '../src/socket/types.js'

const writes = { text: 0, bytes: 0 }

/** Node sockets, counting writes; without `text` they take bytes only, as on Workers. */
const counting = (text: boolean): SocketAdapter => ({
  async connect(o) {
    const s = await nodeSockets.connect(o)
    const wrapped: SmtpSocket = {
      setHandlers: (h) => s.setHandlers(h),
      write: (chunks) => {
        writes.bytes++
        return s.write(chunks)
      },
      drained: () => s.drained(),
      startTls: (t) => s.startTls(t),
      close: (graceful) => s.close(graceful),
    }
    if (text) {
      wrapped.writeText = (t) => {
        writes.text++
        return s.writeText!(t)
      }
    }
    return wrapped
  },
})

const messages = [
  'Subject: clean\r\n\r\nGoes out as text.\r\n',
  'Subject: dots\r\n\r\n.leading dot\r\nbare\nLF\r\n',
  new TextEncoder().encode('Subject: bytes\r\n\r\nGiven as bytes.\r\n'),
  'Subject: unterminated\r\n\r\nlast line',
]
const expected = [
  'Subject: clean\r\n\r\nGoes out as text.\r\n',
  'Subject: dots\r\n\r\n.leading dot\r\nbare\r\nLF\r\n',
  'Subject: bytes\r\n\r\nGiven as bytes.\r\n',
  'Subject: unterminated\r\n\r\nlast line\r\n',
]

describe('Connection writes', () => {
  let server: AiosmtpdServer
  beforeAll(async () => {
    server = await startAiosmtpd({ security: 'none' })
  })
  afterAll(() => server.stop())

  it.each([
    ['a socket that takes text (Node)', true],
    ['a socket that takes bytes only (as on Workers)', false],
  ])(
    'sends queued text and byte messages through %s, the same octets arriving',
    async (_, text) => {
      const before = (await server.received()).length
      writes.text = 0
      writes.bytes = 0
      const socket = counting(text)
      const client = await SmtpClient.connect({
        host: server.host,
        port: server.port,
        security: 'none',
        socket,
      })
      const results = await Promise.all(
        messages.map((m) => client.send({ from: 'a@example.com', to: ['b@example.org'] }, m)),
      )
      expect(results.map((r) => r.accepted)).toEqual(messages.map(() => ['b@example.org']))
      await client.quit()
      const got = (await server.waitFor(before + messages.length)).slice(before)
      expect(got.map((m) => m.data.toString('latin1'))).toEqual(expected)
      // Text goes out as text where the socket takes it; the byte messages still go as bytes.
      if (text) expect(writes.text).toBeGreaterThan(0)
      else expect(writes.text).toBe(0)
      expect(writes.bytes).toBeGreaterThan(0)
    },
  )
})
