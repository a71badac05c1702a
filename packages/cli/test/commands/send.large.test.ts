import { open } from 'node:fs/promises'
import { join } from 'node:path'
import type { Readable } from 'node:stream'
import { run, startStreamSink } from '@mail/testkit'
import { describe, expect, it } from 'vitest'
import { BIN } from '../helpers/cli.js'
import { useWorkDir } from '../helpers/workdir.js'

const work = useWorkDir()
const MiB = 1024 * 1024

/** Runs the built CLI under GNU time: its exit code, stdout and its peak resident set. */
async function measured(
  args: string[],
  cwd: string,
): Promise<{ code: number | null; stdout: string; maxRss: number }> {
  const { code, stdout, stderr } = await run(
    '/usr/bin/time',
    ['-f', 'maxrss=%M', process.execPath, BIN, ...args],
    { cwd },
  )
  const kb = /maxrss=(\d+)/.exec(stderr)?.[1]
  if (kb === undefined) throw new Error(`no figure from time: ${stderr}`)
  return { code, stdout, maxRss: Number(kb) * 1024 }
}

describe('mailx send --attach with a large file', () => {
  it('sends a 256 MiB file in constant memory: far less than the message', async () => {
    const path = join(work.dir(), 'big.iso')
    const handle = await open(path, 'w')
    await handle.truncate(256 * MiB)
    await handle.write(Buffer.from('the end'), 0, 7, 256 * MiB - 7)
    await handle.close()
    const sink = await startStreamSink({
      consume: async (m: Readable) => {
        let n = 0
        for await (const chunk of m) n += (chunk as Buffer).length
        return n
      },
    })
    try {
      const url = `smtp://127.0.0.1:${sink.port}?security=none`
      const r = await measured(
        [
          'send',
          '-f',
          'me@example.com',
          '-t',
          'you@example.com',
          '--text',
          'x',
          '--attach',
          path,
          '--smtp',
          url,
        ],
        work.dir(),
      )
      expect(r.code).toBe(0)
      expect(r.stdout).toMatch(/^Sent <.+> via 127\.0\.0\.1:\d+ \(--smtp\)/)
      // The message is over 340 MiB; the whole process (Node itself ~60 MiB) stays far below.
      const [got] = sink.results
      expect(got!.value).toBeGreaterThan(340 * MiB)
      expect(r.maxRss).toBeLessThan(160 * MiB)
    } finally {
      await sink.stop()
    }
  }, 120_000)
})
