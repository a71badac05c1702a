// The workspace's private packages, and their removal from a manifest about to be packed. CommonJS
// so that .pnpmfile.cjs (which pnpm loads with require) and the ESM scripts share it.
const { existsSync, readdirSync, readFileSync } = require('node:fs')
const { join } = require('node:path')

const root = join(__dirname, '..', '..')

/** The package folders pnpm-workspace.yaml lists (`dir/*` and plain `dir` entries). */
function workspaceDirs() {
  const yaml = readFileSync(join(root, 'pnpm-workspace.yaml'), 'utf8')
  const list = /^packages:\n((?:[ \t]+-.*\n?)+)/m.exec(yaml)?.[1] ?? ''
  const dirs = []
  for (const line of list.split('\n')) {
    const entry = /^\s+-\s+['"]?([^'"\s]+)['"]?/.exec(line)?.[1]
    if (entry === undefined) continue
    if (!entry.endsWith('/*')) dirs.push(join(root, entry))
    else {
      const parent = join(root, entry.slice(0, -2))
      for (const name of readdirSync(parent)) dirs.push(join(parent, name))
    }
  }
  return dirs.filter((dir) => existsSync(join(dir, 'package.json')))
}

/** Names of the workspace packages marked `"private": true` (testkit, bench, runtimes...). */
function privateWorkspacePackages() {
  const names = new Set()
  for (const dir of workspaceDirs()) {
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'))
    if (manifest.private === true) names.add(manifest.name)
  }
  return names
}

const DEPENDENCY_FIELDS = [
  'dependencies',
  'devDependencies',
  'peerDependencies',
  'optionalDependencies',
]

/**
 * The dependencies of a manifest that no registry can give: private workspace packages, and any
 * range still in pnpm's workspace: protocol. Each as `field: name@range`.
 */
function unpublishableDependencies(manifest, privateNames = privateWorkspacePackages()) {
  const found = []
  for (const field of DEPENDENCY_FIELDS) {
    for (const [name, range] of Object.entries(manifest[field] ?? {})) {
      if (privateNames.has(name) || String(range).startsWith('workspace:')) {
        found.push(`${field}: ${name}@${range}`)
      }
    }
  }
  return found
}

/** Removes private workspace packages from every dependency field of `manifest` (in place). */
function stripPrivateDependencies(manifest, privateNames = privateWorkspacePackages()) {
  for (const field of DEPENDENCY_FIELDS) {
    const deps = manifest[field]
    if (deps === undefined) continue
    for (const name of Object.keys(deps)) if (privateNames.has(name)) delete deps[name]
    if (Object.keys(deps).length === 0) delete manifest[field]
  }
  return manifest
}

module.exports = { privateWorkspacePackages, stripPrivateDependencies, unpublishableDependencies }
