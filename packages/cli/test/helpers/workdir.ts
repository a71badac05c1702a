import { existsSync } from 'node:fs'
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, expect } from 'vitest'
import { tempDir } from './cli.js'

/**
 * A fresh working directory per test (its default inbox is `.mail/inbox`), removed afterwards.
 * Call at the top of a test file; `dir()` is valid inside tests.
 */
export function useWorkDir() {
  let dir = ''
  let cleanup = async () => {}
  beforeEach(async () => {
    ;({ dir, cleanup } = await tempDir())
  })
  afterEach(async () => {
    await cleanup()
  })
  const inbox = () => join(dir, '.mail', 'inbox')
  return {
    dir: () => dir,
    /** The .eml files in the default inbox. */
    async storedFiles(): Promise<string[]> {
      if (!existsSync(inbox())) return []
      return (await readdir(inbox())).filter((n) => n.endsWith('.eml')).map((n) => join(inbox(), n))
    },
    /** The bytes of the one message in the default inbox (fails unless there is exactly one). */
    async onlyStored(): Promise<Buffer> {
      const files = await this.storedFiles()
      expect(files).toHaveLength(1)
      return readFile(files[0]!)
    },
  }
}
