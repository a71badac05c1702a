#!/usr/bin/env node
// The build for Workers and browsers (export conditions workerd, worker and browser): the
// sources bundled by esbuild into dist/web, with mime-types and its database inside and Node's
// `path` (mime-types' only Node module, for `extname`) replaced by ./extname.mjs. It needs no
// Node built-in and no bundler configuration: no `nodejs_compat`, no alias. Both entry points
// share one chunk, so `@mail/mime` and `@mail/mime/dkim` throw the same MimeError class.
import { join } from 'node:path'
import { build } from 'esbuild'

const pkg = join(import.meta.dirname, '..')

const result = await build({
  absWorkingDir: pkg,
  entryPoints: { index: 'src/index.ts', 'dkim/index': 'src/dkim/index.ts' },
  outdir: 'dist/web',
  chunkNames: 'shared/[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  sourcemap: true,
  alias: { path: './build/extname.mjs' },
  metafile: true,
  logLevel: 'warning',
})

// Every import left in the output is one of the build's own chunks: nothing for a runtime or a
// bundler to resolve.
for (const [file, output] of Object.entries(result.metafile.outputs)) {
  for (const imported of output.imports) {
    if (imported.external) throw new Error(`${file} imports ${imported.path}`)
  }
}
