import { defineProject } from 'vitest/config'

// The cross-runtime suite: one test file drives Node, Bun, Deno and workerd against the packed
// tarballs (see README.md). Packing, installing and the runtimes' start-up need longer hooks than
// the unit suites.
export default defineProject({
  test: {
    name: 'runtimes',
    root: import.meta.dirname,
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 180_000,
  },
})
