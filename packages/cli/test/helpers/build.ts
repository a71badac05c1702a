import { execFileSync } from 'node:child_process'
import { resolve } from 'node:path'

const root = resolve(import.meta.dirname, '../../../..')
const tsc = resolve(root, 'node_modules/.bin/tsc')

/**
 * Vitest global setup: emits dist/ for the CLI and the workspace packages it imports, in
 * dependency order, so spawned `node packages/cli/dist/bin.js` runs the current sources.
 */
export default function build(): void {
  for (const pkg of ['mime', 'smtp', 'send', 'inbox', 'queue', 'cli']) {
    execFileSync(tsc, ['-p', 'tsconfig.build.json'], {
      cwd: resolve(root, 'packages', pkg),
      stdio: ['ignore', 'inherit', 'inherit'],
    })
  }
}
