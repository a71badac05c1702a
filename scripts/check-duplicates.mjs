#!/usr/bin/env node
// Copy/paste check (issue 13): jscpd (pinned at 5.3.2 in the root package.json) looks for blocks
// of 6 or more repeated lines, TypeScript and JavaScript, in two sets of folders:
//   - packages/*/src may hold no clone at all;
//   - packages/*/test may hold at most 1 (half of the 3 found when the rule was set).
// jscpd writes its JSON report into a temporary folder; on failure every clone is printed with
// its two locations. Exits non-zero when a set is over its limit or jscpd fails.
import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const jscpd = join(root, 'node_modules', '.bin', 'jscpd')
const packageDirs = (sub) =>
  readdirSync(join(root, 'packages'))
    .map((name) => join(root, 'packages', name, sub))
    .filter((dir) => existsSync(dir))

const sets = [
  { name: 'src', paths: packageDirs('src'), max: 0 },
  { name: 'tests', paths: packageDirs('test'), max: 1 },
]

const work = mkdtempSync(join(tmpdir(), 'mail-check-dup-'))
let failed = false
try {
  for (const set of sets) {
    const out = join(work, set.name)
    execFileSync(
      jscpd,
      [
        '--min-lines',
        '6',
        '--format',
        'typescript,javascript',
        '--ignore',
        '**/node_modules/**,**/dist/**',
        '--absolute',
        '--reporters',
        'json',
        '--output',
        out,
        ...set.paths,
      ],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    )
    const { duplicates } = JSON.parse(readFileSync(join(out, 'jscpd-report.json'), 'utf8'))
    const where = (file) => `${relative(root, file.name)}:${file.start}-${file.end}`
    const verdict = duplicates.length > set.max ? 'FAILED' : 'ok'
    console.log(
      `check:dup: ${set.name}: ${duplicates.length} clone(s), at most ${set.max} ... ${verdict}`,
    )
    if (duplicates.length > set.max) {
      failed = true
      for (const clone of duplicates) {
        console.log(
          `  ${clone.lines} lines: ${where(clone.firstFile)}  ==  ${where(clone.secondFile)}`,
        )
      }
    }
  }
} finally {
  rmSync(work, { recursive: true, force: true })
}
process.exit(failed ? 1 : 0)
