import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { build } from 'esbuild'

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
