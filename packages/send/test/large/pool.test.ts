// 1,000 messages with a 1 MiB Blob attachment each, submitted at once to a pool of 4
// connections: the pool holds the messages (their sources), never their octets. The client runs
// in its own process, so its RSS is the client's alone.
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Readable } from 'node:stream'
import { startStreamSink } from '@mail/testkit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runChild } from '../helpers/child.js'

const MiB = 1024 * 1024
const COUNT = 1000
const ENTRY = join(import.meta.dirname, '../fixtures/large-client.ts')

let dir: string
let file: string

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'send-pool-'))
  file = join(dir, 'one.bin')
  await writeFile(file, randomBytes(MiB))
})

afterAll(() => rm(dir, { recursive: true, force: true }))

/** Reads a message through, keeping only its size. */
async function size(message: Readable): Promise<number> {
  let n = 0
  for await (const chunk of message) n += (chunk as Buffer).length
  return n
}

describe('a pool of 4 given 1,000 messages with a 1 MiB Blob each at once', () => {
  it('sends them all with the client growing by less than 128 MiB', async () => {
    const sink = await startStreamSink({ chunking: true, consume: size })
    try {
      const { report } = await runChild<{
        growth: number
        failed: number
        firstError?: string
        ms: number
      }>(ENTRY, { port: sink.port, file, mode: 'pool', count: COUNT, connections: 4 })
      expect(report.firstError).toBeUndefined()
      expect(report.failed).toBe(0)
      expect(sink.results).toHaveLength(COUNT)
      // Each message carries the whole 1 MiB file (base64: more than 4/3 of it).
      expect(sink.results.every((r) => r.value > (MiB * 4) / 3)).toBe(true)
      console.info(
        `${COUNT} x 1 MiB through a pool of 4: ${(report.ms / 1000).toFixed(1)} s, client RSS +${(report.growth / MiB).toFixed(1)} MiB`,
      )
      expect(report.growth).toBeLessThan(128 * MiB)
    } finally {
      await sink.stop()
    }
  }, 300_000)
})
