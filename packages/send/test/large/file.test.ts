// A file attachment far larger than memory needs, sent with DATA and with BDAT from a client in
// its own process (its RSS is the client's alone) to a server that keeps nothing: the server
// decodes the attachment with mailparser as it arrives and hashes it, and verifies the DKIM
// signature with mailauth, both on the fly.
import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto'
import { mkdtemp, open, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { checkStream, type StreamCheck, startStreamSink } from '@mail/testkit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runChild } from '../helpers/child.js'

const MiB = 1024 * 1024
/**
 * 128 MiB in CI (a 173 MiB message, far above the 64 MiB the client may grow by): the issue's
 * 1 GiB takes 65-80 s per run here, with the server decoding and verifying in JavaScript, so it
 * runs with `LARGE_FILE_MIB=1024` (and in the benchmark's large-attachment figures).
 */
const SIZE = Number(process.env.LARGE_FILE_MIB ?? 128) * MiB
const MAX_GROWTH = 64 * MiB
const ENTRY = join(import.meta.dirname, '../fixtures/large-client.ts')

let dir: string
let file: string
let sha256: string

/**
 * A sparse file of `size` octets with random blocks every 8 MiB (and at both ends): quick to
 * make, and any octet out of place changes its hash.
 */
async function sparseFile(path: string, size: number): Promise<string> {
  const handle = await open(path, 'w')
  const hash = createHash('sha256')
  const zeros = new Uint8Array(8 * MiB)
  try {
    await handle.truncate(size)
    for (let at = 0; at < size; at += zeros.length) {
      const block = randomBytes(4096)
      const span = Math.min(zeros.length, size - at)
      await handle.write(block, 0, Math.min(block.length, span), at)
      hash.update(block.subarray(0, Math.min(block.length, span)))
      if (span > block.length) hash.update(zeros.subarray(block.length, span))
    }
  } finally {
    await handle.close()
  }
  return hash.digest('hex')
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'send-large-'))
  file = join(dir, 'big.bin')
  sha256 = await sparseFile(file, SIZE)
}, 60_000)

afterAll(() => rm(dir, { recursive: true, force: true }))

describe(`a ${SIZE / MiB} MiB file attachment (fs.openAsBlob)`, () => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519')
  const spki = publicKey.export({ type: 'spki', format: 'der' })
  const records = {
    'big._domainkey.example.com': `v=DKIM1; k=ed25519; p=${spki.subarray(spki.length - 32).toString('base64')}`,
  }
  const dkim = {
    domain: 'example.com',
    selector: 'big',
    privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  }

  for (const chunking of [false, true]) {
    it(`arrives whole with ${chunking ? 'BDAT' : 'DATA'}, DKIM-signed, the client under 64 MiB`, async () => {
      const sink = await startStreamSink<StreamCheck>({
        chunking,
        consume: (m) => checkStream(m, records),
      })
      try {
        const { report } = await runChild<{ growth: number; failed: number; ms: number }>(ENTRY, {
          port: sink.port,
          file,
          mode: 'file',
          dkim,
        })
        expect(report.failed).toBe(0)
        const [got] = sink.results
        expect(got?.envelope.via).toBe(chunking ? 'BDAT' : 'DATA')
        expect(got?.value.attachments).toEqual([{ filename: 'big.bin', size: SIZE, sha256 }])
        expect(got?.value.dkim).toEqual(['pass'])
        expect(got?.envelope.params).toContain(`SIZE=${got?.value.size}`)
        console.info(
          `${SIZE / MiB} MiB ${got?.envelope.via}: ${(report.ms / 1000).toFixed(1)} s, client RSS +${(report.growth / MiB).toFixed(1)} MiB`,
        )
        expect(report.growth).toBeLessThan(MAX_GROWTH)
      } finally {
        await sink.stop()
      }
    }, 600_000)
  }
})
