import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
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
    const child = spawn(
      'unshare',
      ['--user', '--map-root-user', '--net', '--', 'sh', '-c', setup],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    )
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString()
    })
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString()
    })
    const code = await new Promise<number | null>((resolve, reject) => {
      child.on('error', reject)
      child.on('close', resolve)
    })
    if (code !== 0) throw new Error(`the isolated fixture exited ${code}: ${stderr}`)
    return JSON.parse(stdout.trim().split('\n').pop() ?? 'null') as T
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}
