// Packs the public packages the way they would be published and installs the tarballs into a
// fresh npm project outside the workspace. Shared by the packaging checks and the cross-runtime
// suite, so both exercise exactly what users would install.
import { execFileSync } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'

export const root = resolve(import.meta.dirname, '..', '..')
export const publicPackages = ['mime', 'smtp', 'send', 'queue', 'inbox', 'cli']

export function run(cmd, args, opts = {}) {
  return execFileSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', ...opts })
}

/** `pnpm pack` one package into `dest`; returns the tarball's absolute path. */
export function packPackage(name, dest) {
  const out = run('pnpm', ['pack', '--pack-destination', dest], {
    cwd: join(root, 'packages', name),
  })
  const file = out
    .trim()
    .split('\n')
    .map((line) => line.trim())
    .find((line) => line.endsWith('.tgz'))
  if (!file) throw new Error(`pnpm pack printed no tarball name:\n${out}`)
  return resolve(dest, file)
}

/**
 * Creates `dir` as an npm project depending on the given tarballs (name -> path), with overrides
 * so that internal ranges such as `^0.1.0` resolve to those tarballs and never to the registry.
 */
export function installTarballs(dir, tarballs, extra = {}) {
  mkdirSync(dir, { recursive: true })
  const deps = Object.fromEntries(
    Object.entries(tarballs).map(([name, path]) => [`@mail/${name}`, `file:${path}`]),
  )
  const manifest = {
    name: 'consumer',
    private: true,
    type: 'module',
    dependencies: deps,
    overrides: deps,
    ...extra,
  }
  writeFileSync(join(dir, 'package.json'), JSON.stringify(manifest, null, 2))
  run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: dir })
}
