import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { runCli, tempDir } from './helpers/cli.js'

let dir: string
let cleanup: () => Promise<void>
beforeEach(async () => {
  ;({ dir, cleanup } = await tempDir())
})
afterEach(async () => {
  await cleanup()
})

describe('mailx', () => {
  it('prints the package version with --version', async () => {
    const pkg = JSON.parse(await readFile(join(import.meta.dirname, '../package.json'), 'utf8'))
    const r = await runCli(['--version'], { cwd: dir })
    expect(r.code).toBe(0)
    expect(r.stdout).toBe(`${pkg.version}\n`)
  })

  it('prints an overview of the commands without arguments and with --help', async () => {
    for (const args of [[], ['--help']]) {
      const r = await runCli(args, { cwd: dir })
      expect(r.code).toBe(0)
      expect(r.stdout).toMatch(/mailx send .*\n.*mailx inbox .*\n.*mailx serve/)
    }
  })

  it('prints the help of the command named after help', async () => {
    const r = await runCli(['help', 'serve'], { cwd: dir })
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/^mailx serve: /)
  })

  it('exits 1 with one line for an unknown command, naming the one meant', async () => {
    const r = await runCli(['snd'], { cwd: dir })
    expect(r.code).toBe(1)
    expect(r.stderr).toBe('mailx: unknown command "snd": did you mean send? (see: mailx --help)\n')
    const far = await runCli(['deploy'], { cwd: dir })
    expect(far.stderr).toBe('mailx: unknown command "deploy" (see: mailx --help)\n')
  })
})
