#!/usr/bin/env node
// Release dry run: in a scratch copy of the workspace manifests, a sample changeset that bumps
// @mail/mime must bump @mail/mime and its dependents (@mail/send, @mail/queue, @mail/cli) and
// nothing else (@mail/smtp and @mail/inbox stay); versions stay independent (no fixed group).
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { publicPackages, root, run } from './lib/pack.mjs'

const scratch = mkdtempSync(join(tmpdir(), 'mail-release-check-'))
const version = (dir, name) =>
  JSON.parse(readFileSync(join(dir, 'packages', name, 'package.json'), 'utf8')).version
try {
  // Only the config: the pending changesets of the real tree must not take part.
  for (const file of ['package.json', 'pnpm-workspace.yaml', '.changeset/config.json']) {
    cpSync(join(root, file), join(scratch, file), { recursive: true })
  }
  for (const name of [...publicPackages, 'testkit']) {
    cpSync(
      join(root, 'packages', name, 'package.json'),
      join(scratch, 'packages', name, 'package.json'),
    )
  }
  for (const dir of ['bench', 'runtimes']) {
    cpSync(join(root, dir, 'package.json'), join(scratch, dir, 'package.json'))
  }
  writeFileSync(
    join(scratch, '.changeset', 'sample-check.md'),
    '---\n"@mail/mime": patch\n---\n\nSample.\n',
  )
  const changeset = join(root, 'node_modules', '@changesets', 'cli', 'bin.js')
  run('node', [changeset, 'version'], { cwd: scratch })
  const bumped = publicPackages
    .filter((name) => version(scratch, name) !== version(root, name))
    .map((name) => `@mail/${name}`)
  const expected = ['@mail/mime', '@mail/send', '@mail/queue', '@mail/cli']
  if (bumped.sort().join() !== expected.sort().join()) {
    throw new Error(
      `a @mail/mime changeset bumped ${bumped.join(', ')}; expected ${expected.join(', ')}`,
    )
  }
  console.log(`release-check: a @mail/mime patch bumps ${bumped.join(', ')} only`)
} finally {
  rmSync(scratch, { recursive: true, force: true })
}
