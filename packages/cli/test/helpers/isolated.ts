import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { lastJsonLine, run } from '@mail/testkit'
import { build } from 'esbuild'

/**
 * Runs a TypeScript fixture in a child process inside private user and network namespaces
 * (`unshare`), whose loopback interface also carries 192.0.2.25: there it may listen on port 465
 * and on an address that is not loopback, and nothing it does reaches the machine's network.
 * Resolves with the JSON the fixture printed last.
 */
export async function runIsolated<T>(fixture: string, args: string[]): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'mailx-netns-'))
  try {
    const file = join(dir, 'fixture.mjs')
    await build({
      entryPoints: [fixture],
      outfile: file,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      logLevel: 'silent',
    })
    const setup = [
      'ip link set lo up',
      'ip addr add 192.0.2.25/32 dev lo',
      `exec ${[process.execPath, file, ...args].map((a) => JSON.stringify(a)).join(' ')}`,
    ].join(' && ')
    const result = await run('unshare', [
      '--user',
      '--map-root-user',
      '--net',
      '--',
      'sh',
      '-c',
      setup,
    ])
    if (result.code !== 0) {
      throw new Error(`the isolated fixture exited ${result.code}: ${result.stderr}`)
    }
    return lastJsonLine<T>(result)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}
