import { execFile } from 'node:child_process'
import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto'
import { openAsBlob } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Readable } from 'node:stream'
import { composeMessage, MimeError } from '@mail/mime'
import type { SendProgress } from '@mail/smtp'
import {
  PYTHON,
  parseWithMailparser,
  startAiosmtpd,
  startSmtpSink,
  startStreamSink,
} from '@mail/testkit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sendmail } from '../src/sendmail.js'
import { createTestTransport } from '../src/test-transport.js'
import { createTransport } from '../src/transport.js'

// Messages with Blob, stream and async iterable attachments: built with buildMessageStream and
// streamed to the server, retried only when they can be read again, signed in two passes.

let dir: string
let file: string
const bytes = randomBytes(300 * 1024 + 7)
const build = {
  now: () => new Date('2026-01-02T03:04:05Z'),
  boundary: (i: number) => `b${i}`,
  messageIdRandom: () => 'fixed',
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'send-streamed-'))
  file = join(dir, 'data.bin')
  await writeFile(file, bytes)
})
afterAll(() => rm(dir, { recursive: true, force: true }))

const base = { from: 'a@example.com', to: 'b@example.org', subject: 'Files', text: 'Attached.' }
const withContent = (content: unknown) => ({
  ...base,
  attachments: [{ filename: 'data.bin', content: content as Blob }],
})

/** A one-shot source of `bytes` in chunks; `reads` counts the chunks taken. */
function oneShot() {
  const state = { reads: 0 }
  const stream = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        const at = state.reads++ * 65536
        if (at >= bytes.length) controller.close()
        else controller.enqueue(bytes.subarray(at, at + 65536))
      },
    },
    { highWaterMark: 0 },
  )
  return { state, stream }
}

async function* iterable(): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < bytes.length; at += 10_000) yield bytes.subarray(at, at + 10_000)
}

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex')

describe('a message with lazy sources', () => {
  it('is the same message as with the bytes in memory, for every kind of source', async () => {
    const reference = composeMessage(withContent(bytes), build).raw
    for (const content of [await openAsBlob(file), oneShot().stream, iterable()]) {
      const transport = createTestTransport({ build })
      const seen: SendProgress[] = []
      await transport.send(withContent(content), { onProgress: (p) => seen.push(p) })
      expect(transport.messages[0]?.raw).toBe(reference)
      expect(seen.at(-1)).toEqual({ sent: reference.length, total: reference.length })
    }
  })

  it('is delivered through a server, with DATA and with BDAT, the attachment intact', async () => {
    for (const chunking of [false, true]) {
      const sink = await startStreamSink({
        chunking,
        consume: async (m: Readable) => {
          const chunks: Buffer[] = []
          for await (const c of m) chunks.push(c as Buffer)
          return Buffer.concat(chunks)
        },
      })
      try {
        const url = `smtp://127.0.0.1:${sink.port}?security=none`
        const info = await sendmail(withContent(await openAsBlob(file)), url)
        expect(info.accepted).toEqual(['b@example.org'])
        const [got] = sink.results
        expect(got?.envelope.via).toBe(chunking ? 'BDAT' : 'DATA')
        // The size is known for a Blob: SIZE is declared, exactly the octets sent.
        expect(got?.envelope.params).toContain(`SIZE=${got?.value.length}`)
        const parsed = await parseWithMailparser(got!.value)
        expect(parsed.messageId).toBe(info.messageId)
        expect(sha256(parsed.attachments[0]!.content)).toBe(sha256(bytes))
      } finally {
        await sink.stop()
      }
    }
  })

  it('reports progress through transport.send, rising, the last with sent === total', async () => {
    const server = await startAiosmtpd({ security: 'none' })
    const transport = createTransport({ host: server.host, port: server.port, security: 'none' })
    try {
      const seen: SendProgress[] = []
      await transport.send(withContent(oneShot().stream), { onProgress: (p) => seen.push(p) })
      const [got] = await server.waitFor(1)
      const sent = seen.map((p) => p.sent)
      expect(sent).toEqual([...sent].sort((a, b) => a - b))
      expect(seen.length).toBeGreaterThan(1)
      // A stream's size is not known before it is read: known on the last report.
      expect(seen.slice(0, -1).every((p) => p.total === undefined)).toBe(true)
      expect(seen.at(-1)).toEqual({ sent: got!.data.length, total: got!.data.length })
      // Without a size, no SIZE is declared.
      expect(got!.mailOptions.some((o) => o.startsWith('SIZE='))).toBe(false)
    } finally {
      await transport.close()
      await server.stop()
    }
  })

  it('runs beforeEnd before the end of a streamed message', async () => {
    const server = await startAiosmtpd({ security: 'none' })
    const transport = createTransport({ host: server.host, port: server.port, security: 'none' })
    try {
      let before = -1
      await transport.send(withContent(await openAsBlob(file)), {
        beforeEnd: async () => {
          before = (await server.received()).length
        },
      })
      expect(before).toBe(0)
      expect(await server.waitFor(1)).toHaveLength(1)
    } finally {
      await transport.close()
      await server.stop()
    }
  })
})

describe('retries of streamed messages', () => {
  // The sink answers the end of the first two transactions with 451: a transient failure after
  // the data was sent, so nothing was delivered.
  const flaky = () =>
    startSmtpSink({
      fault: (step, ctx) =>
        step === 'end' && ctx.attempt <= 2 ? '451 4.3.0 try later' : undefined,
    })
  /** A transport to the sink on `port` that makes `attempts` attempts, 1 ms apart. */
  const retrying = (port: number, attempts: number) =>
    createTransport({
      host: '127.0.0.1',
      port,
      security: 'none',
      retry: { attempts, backoffMs: 1 },
    })

  it('rejects a one-shot message that failed after its data started, without a new MAIL', async () => {
    const sink = await flaky()
    const transport = retrying(sink.port, 3)
    try {
      const source = oneShot()
      const error = await transport.send(withContent(source.stream)).catch((e: unknown) => e)
      expect(error).toMatchObject({ name: 'SmtpError', code: 451, transient: true })
      expect(sink.transactions).toHaveLength(1)
    } finally {
      await transport.close()
      await sink.stop()
    }
  })

  it('retries a Blob message: it can be read again', async () => {
    const sink = await flaky()
    const transport = retrying(sink.port, 3)
    try {
      const info = await transport.send(withContent(await openAsBlob(file)))
      expect(info.accepted).toEqual(['b@example.org'])
      expect(sink.transactions.map((t) => t.outcome)).toEqual(['refused', 'refused', 'accepted'])
    } finally {
      await transport.close()
      await sink.stop()
    }
  })

  it('retries a one-shot message refused before its data was read', async () => {
    const sink = await startSmtpSink({
      fault: (step, ctx) => (step === 'mail' && ctx.attempt === 1 ? '451 4.3.0 later' : undefined),
    })
    const transport = retrying(sink.port, 2)
    try {
      const source = oneShot()
      const info = await transport.send(withContent(source.stream))
      expect(info.accepted).toEqual(['b@example.org'])
      expect(sink.transactions.map((t) => t.outcome)).toEqual(['refused', 'accepted'])
    } finally {
      await transport.close()
      await sink.stop()
    }
  })
})

// python3-dkim with the key served from the arguments instead of DNS.
const VERIFY = `
import sys, dkim
message = sys.stdin.buffer.read()
dns = lambda name, timeout=5: sys.argv[2].encode() if name.rstrip(b'.') == sys.argv[1].encode() else b''
print('pass' if dkim.DKIM(message).verify(dnsfunc=dns) else 'fail')
`

function verify(message: Buffer, name: string, txt: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(PYTHON, ['-c', VERIFY, name, txt], (error, stdout, stderr) =>
      error ? reject(new Error(stderr || error.message)) : resolve(stdout.trim()),
    )
    child.stdin!.end(message)
  })
}

describe('DKIM with streamed messages', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519')
  const spki = publicKey.export({ type: 'spki', format: 'der' })
  const txt = `v=DKIM1; k=ed25519; p=${spki.subarray(spki.length - 32).toString('base64')}`
  const dkim = {
    domain: 'example.com',
    selector: 's1',
    privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  }

  it('signs a Blob message in two passes; the signature verifies where it arrives', async () => {
    const server = await startAiosmtpd({ security: 'none' })
    try {
      await sendmail(withContent(await openAsBlob(file)), {
        host: server.host,
        port: server.port,
        security: 'none',
        dkim,
      })
      const [got] = await server.waitFor(1)
      expect(got!.data.toString('latin1')).toMatch(/^DKIM-Signature: /)
      expect(await verify(got!.data, 's1._domainkey.example.com', txt)).toBe('pass')
    } finally {
      await server.stop()
    }
  })

  it('refuses a one-shot message with a MimeError before anything is read or sent', async () => {
    const sink = await startSmtpSink()
    try {
      const source = oneShot()
      const error = await sendmail(withContent(source.stream), {
        host: '127.0.0.1',
        port: sink.port,
        security: 'none',
        dkim,
      }).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(MimeError)
      expect(source.state.reads).toBe(0)
      expect(sink.transactions).toHaveLength(0)
    } finally {
      await sink.stop()
    }
  })
})
