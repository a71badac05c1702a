import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { build, type Plugin } from 'esbuild'
import { shared } from '../../../vitest.shared.js'
import type { WorkerOptions } from '../src/index.js'

// The workspace packages from their TypeScript sources, with the aliases the tests use.
const aliases: Plugin = {
  name: 'workspace-sources',
  setup(b) {
    const alias = shared(import.meta.dirname).resolve?.alias
    for (const { find, replacement } of Array.isArray(alias) ? alias : []) {
      if (find instanceof RegExp) b.onResolve({ filter: find }, () => ({ path: replacement }))
    }
  },
}

/** A worker running in a child process (see fixtures/worker-child.ts). */
export interface ChildWorker {
  process: ChildProcess
  /** SIGKILL, resolved once the process is gone. */
  kill(): Promise<void>
}

/** Bundles the child worker and starts it; resolves once it listens for jobs. */
export async function startChildWorker(options: WorkerOptions): Promise<ChildWorker> {
  const dir = await mkdtemp(join(tmpdir(), 'queue-child-'))
  const file = join(dir, 'worker.mjs')
  try {
    await build({
      entryPoints: [resolve(import.meta.dirname, 'fixtures/worker-child.ts')],
      outfile: file,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      external: ['cloudflare:sockets'],
      plugins: [aliases],
      logLevel: 'silent',
      banner: {
        js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
      },
    })
    const child = spawn(process.execPath, [file, JSON.stringify(options)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stderr = ''
    child.stderr.setEncoding('utf8').on('data', (s: string) => {
      stderr += s
    })
    await new Promise<void>((ready, fail) => {
      child.stdout.setEncoding('utf8').on('data', (s: string) => {
        if (s.includes('ready')) ready()
      })
      child.once('exit', (code) => fail(new Error(`the child worker exited (${code}): ${stderr}`)))
    })
    const gone = new Promise<void>((done) => child.once('exit', () => done()))
    return {
      process: child,
      async kill() {
        child.kill('SIGKILL')
        await gone
      },
    }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}
