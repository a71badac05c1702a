import { defineProject } from 'vitest/config'
import { shared } from '../../vitest.shared.ts'

const config = shared(import.meta.dirname)

// The command tests spawn the built CLI (`node dist/bin.js`), as users run it: the global setup
// builds it and the packages it imports first.
export default defineProject({
  ...config,
  test: { ...config.test, globalSetup: ['./test/helpers/build.ts'] },
})
