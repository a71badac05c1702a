#!/usr/bin/env node
// Runs the README code examples against freshly packed tarballs (what `pnpm pack:check` does as
// its last step), for working on a README: `pnpm build && pnpm readme:check`. The convention for
// examples is in the root README ("README examples") and scripts/lib/readme-examples.mjs.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { installTarballs, packPackage, publicPackages, root } from './lib/pack.mjs'
import { runReadmeExamples } from './lib/readme-examples.mjs'

const work = mkdtempSync(join(tmpdir(), 'mail-readme-check-'))
try {
  const tarballs = Object.fromEntries(publicPackages.map((name) => [name, packPackage(name, work)]))
  const consumer = join(work, 'consumer')
  installTarballs(consumer, tarballs, { devDependencies: { '@types/node': '20.19.43' } })
  const result = await runReadmeExamples({
    consumer,
    tsc: join(root, 'node_modules', '.bin', 'tsc'),
    log: (line) => console.log(`readme-check: ${line}`),
  })
  for (const e of result.skipped) console.log(`readme-check: skipped ${e.where}: ${e.reason}`)
  console.log(
    `readme-check: ${result.ran.length} runs passed, ${result.typed.length} TypeScript examples type-checked${result.cjs ? '' : ' (this Node cannot require() ES modules: ESM only)'}`,
  )
} catch (error) {
  console.error(error.stderr ?? '', error.message)
  process.exitCode = 1
} finally {
  rmSync(work, { recursive: true, force: true })
}
