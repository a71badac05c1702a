import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { build } from 'esbuild'

/** What a child process printed and how it ended. */
export interface ChildResult {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
}

/**
 * Bundles a TypeScript entry (and the sources it imports) into one ES module in a new
 * temporary folder, so a plain `node` child process can run the client from source.
 */
export async function bundle(
  entry: string,
): Promise<{ file: string; dir: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'smtp-child-'))
  const file = join(dir, 'child.mjs')
  await build({
    entryPoints: [entry],
    outfile: file,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: ['cloudflare:sockets'],
    logLevel: 'silent',
    // esbuild's ESM output for Node needs `require` for the CommonJS modules it bundles.
    banner: {
      js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
    },
  })
  return { file, dir, remove: () => rm(dir, { recursive: true, force: true }) }
}

/** Runs a command to its end, collecting its output. */
export function run(command: string, args: string[]): Promise<ChildResult> {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (c: Buffer) => {
    stdout += c.toString()
  })
  child.stderr.on('data', (c: Buffer) => {
    stderr += c.toString()
  })
  return new Promise((resolve, reject) => {
    child.on('error', reject)
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }))
  })
}

/** The JSON a child printed as its last line of output. */
export function report<T>(result: ChildResult): T {
  const lines = result.stdout.trim().split('\n')
  try {
    return JSON.parse(lines[lines.length - 1] ?? '') as T
  } catch {
    throw new Error(
      `the child printed no report (exit ${result.code}): ${result.stdout}\n${result.stderr}`,
    )
  }
}
