// The testkit's servers for the bench: its sources are TypeScript (they run under vitest), so
// the two the queue area uses are bundled once into a temporary ES module with esbuild (their npm
// imports stay imports) and loaded from there.
import { rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { build } from 'esbuild'

const src = resolve(import.meta.dirname, '../../packages/testkit/src')

/** `{ startSmtpSink, startRedis }` from packages/testkit/src. */
export async function loadTestkit() {
  const outfile = join(tmpdir(), `mail-bench-testkit-${process.pid}.mjs`)
  await build({
    stdin: {
      contents:
        "export { startSmtpSink } from './sink.ts'\nexport { startRedis } from './redis.ts'\n",
      resolveDir: src,
      loader: 'ts',
    },
    bundle: true,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    outfile,
    logLevel: 'error',
  })
  try {
    return await import(pathToFileURL(outfile).href)
  } finally {
    rmSync(outfile, { force: true })
  }
}
