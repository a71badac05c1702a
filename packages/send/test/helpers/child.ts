import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { lastJsonLine, run } from '@mail/testkit'
import { build, type Plugin } from 'esbuild'

const packages = resolve(import.meta.dirname, '../../..')
// As in vitest.shared.ts: the workspace packages from their TypeScript sources.
const SOURCES: Record<string, string> = {
  '@mail/mime': 'mime/src/index.ts',
  '@mail/mime/dkim': 'mime/src/dkim/index.ts',
  '@mail/smtp': 'smtp/src/index.ts',
  '#node-sockets': 'smtp/src/socket/node.ts',
}
const sources: Plugin = {
  name: 'workspace-sources',
  setup(b) {
    b.onResolve({ filter: /^(@mail\/(mime|smtp)(\/dkim)?|#node-sockets)$/ }, (args) => ({
      path: join(packages, SOURCES[args.path]!),
    }))
  },
}

/** What a child printed, how it ended, and the JSON of its last line. */
export interface ChildRun<T> {
  code: number | null
  stderr: string
  report: T
}

/**
 * Bundles a TypeScript entry (and the sources it imports) and runs it in a plain `node`
 * process with `--expose-gc`, `args` as JSON in argv[2]; resolves with the JSON the child printed
 * as its last line. The child's memory is its own: its RSS measures the client alone.
 */
export async function runChild<T>(entry: string, args: unknown): Promise<ChildRun<T>> {
  const dir = await mkdtemp(join(tmpdir(), 'send-child-'))
  try {
    const file = join(dir, 'child.mjs')
    await build({
      entryPoints: [entry],
      outfile: file,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      external: ['cloudflare:sockets'],
      plugins: [sources],
      logLevel: 'silent',
      banner: {
        js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
      },
    })
    const result = await run(process.execPath, ['--expose-gc', file, JSON.stringify(args)])
    return { code: result.code, stderr: result.stderr, report: lastJsonLine<T>(result) }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}
