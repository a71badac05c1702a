import { basename, resolve } from 'node:path'
import type { UserWorkspaceConfig } from 'vitest/config'

const root = import.meta.dirname
const src = (pkg: string, file = 'index.ts') => resolve(root, 'packages', pkg, 'src', file)

/**
 * Test configuration shared by every package: workspace packages resolve to their TypeScript
 * sources, so `pnpm test` needs no build and a test always runs the code beside it.
 */
export function shared(dir: string): UserWorkspaceConfig {
  return {
    resolve: {
      alias: [
        { find: /^@mail\/mime\/dkim$/, replacement: src('mime', 'dkim/index.ts') },
        { find: /^@mail\/mime$/, replacement: src('mime') },
        { find: /^@mail\/smtp\/oauth2$/, replacement: src('smtp', 'oauth2/index.ts') },
        { find: /^@mail\/smtp$/, replacement: src('smtp') },
        { find: /^@mail\/send\/oauth2$/, replacement: src('send', 'oauth2.ts') },
        { find: /^@mail\/send$/, replacement: src('send') },
        { find: /^@mail\/queue$/, replacement: src('queue') },
        { find: /^@mail\/inbox$/, replacement: src('inbox') },
        // @mail/smtp's package.json "imports": under test, Node's sockets from the sources.
        { find: /^#node-sockets$/, replacement: src('smtp', 'socket/node.ts') },
      ],
    },
    test: {
      name: basename(dir),
      root: dir,
      include: ['test/**/*.test.ts'],
      setupFiles: [resolve(root, 'vitest.setup.ts')],
      testTimeout: 30_000,
      hookTimeout: 60_000,
    },
  }
}
