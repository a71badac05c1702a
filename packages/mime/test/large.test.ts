// A 64 MiB file attachment (fs.openAsBlob), streamed and DKIM-signed in two passes with memory
// that stays flat, written to disk and checked there by Python: the attachment decodes to the
// file's SHA-256 and python3-dkim verifies the signature.
import { execFile } from 'node:child_process'
import { createHash, generateKeyPairSync } from 'node:crypto'
import { createWriteStream, openAsBlob } from 'node:fs'
import { mkdtemp, open, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pipeline } from 'node:stream/promises'
import { signDkim } from '@mail/mime/dkim'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { buildMessageStream, type StreamedMessage } from '../src/index.js'

const SIZE = 64 * 1024 * 1024
/**
 * Under the message's 87 MiB: proof that neither pass holds the message. Node's own reading of a
 * file Blob (64 KiB chunks, collected lazily) takes about 35 MiB whatever the file's size.
 */
const MAX_GROWTH = 64 * 1024 * 1024

let dir: string
let file: string
let sha256: string

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mime-large-'))
  file = join(dir, 'big.bin')
  const hash = createHash('sha256')
  const handle = await open(file, 'w')
  const block = new Uint8Array(1024 * 1024)
  for (let i = 0; i < SIZE / block.length; i++) {
    for (let j = 0; j < block.length; j += 4)
      new DataView(block.buffer).setUint32(j, (i * 7919 + j) * 2654435761)
    hash.update(block)
    await handle.write(block)
  }
  await handle.close()
  sha256 = hash.digest('hex')
}, 60_000)

afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

/** Runs `fn`, sampling the resident set every millisecond; resolves with its peak growth. */
async function rssGrowth(fn: () => Promise<void>): Promise<number> {
  ;(globalThis as { gc?: () => void }).gc?.()
  const before = process.memoryUsage.rss()
  let peak = before
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss())
  }, 1)
  try {
    await fn()
  } finally {
    clearInterval(timer)
  }
  return Math.max(peak, process.memoryUsage.rss()) - before
}

/**
 * Into a file through a Node pipeline: Node 20's `Writable.toWeb` keeps memory in proportion to
 * what passes through it (its resident set grew by 260 MB for a 192 MiB file), which would hide
 * what this test measures.
 */
async function writeTo(message: StreamedMessage, path: string): Promise<void> {
  await pipeline(message.stream(), createWriteStream(path))
}

/** Python's email parser and python3-dkim on the file: the attachment's SHA-256 and the verdict. */
function checkWithPython(path: string, txt: string): Promise<{ sha256: string; dkim: boolean }> {
  const script = `
import dkim, email, hashlib, json, sys
raw = open(sys.argv[1], 'rb').read()
message = email.message_from_bytes(raw)
part = [p for p in message.walk() if p.get_filename() == 'big.bin'][0]
digest = hashlib.sha256(part.get_payload(decode=True)).hexdigest()
def dns(name, timeout=5):
    return sys.argv[2].encode() if name.decode().rstrip('.') == 'big._domainkey.example.com' else b''
print(json.dumps({'sha256': digest, 'dkim': dkim.DKIM(raw).verify(dnsfunc=dns)}))
`
  return new Promise((resolve, reject) => {
    execFile('/usr/bin/python3', ['-c', script, path, txt], (error, stdout, stderr) => {
      if (error) reject(new Error(`python failed: ${stderr || error.message}`))
      else resolve(JSON.parse(stdout))
    })
  })
}

describe('a 64 MiB file attachment', () => {
  test('streams, signs and verifies with bounded memory', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519')
    const spki = publicKey.export({ type: 'spki', format: 'der' })
    const txt = `v=DKIM1; k=ed25519; p=${spki.subarray(spki.length - 32).toString('base64')}`
    const message = buildMessageStream({
      from: 'alice@example.com',
      to: 'bob@example.org',
      subject: 'The backup',
      text: 'Attached.',
      attachments: [{ filename: 'big.bin', content: await openAsBlob(file) }],
    })
    expect(message.replayable).toBe(true)
    let signed: StreamedMessage | undefined
    const signing = await rssGrowth(async () => {
      signed = await signDkim(message, {
        domain: 'example.com',
        selector: 'big',
        privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      })
    })
    const out = join(dir, 'signed.eml')
    const writing = await rssGrowth(() => writeTo(signed!, out))
    expect(signing).toBeLessThan(MAX_GROWTH)
    expect(writing).toBeLessThan(MAX_GROWTH)
    expect((await stat(out)).size).toBe(signed!.size)
    expect(signed!.size! - message.size!).toBeGreaterThan(100)
    expect(await checkWithPython(out, txt)).toEqual({ sha256, dkim: true })
  }, 120_000)
})
