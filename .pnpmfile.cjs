// pnpm hooks. beforePacking shapes the manifest `pnpm pack` and `pnpm publish` (so `changeset
// publish`) put in a tarball: private workspace packages (the testkit a package's tests use) are
// removed from its dependency lists, since no registry has them. scripts/pack-check.mjs fails if
// one remains. (A change to this file changes pnpmfileChecksum in pnpm-lock.yaml.)
const { stripPrivateDependencies } = require('./scripts/lib/workspace.cjs')

module.exports = {
  hooks: {
    beforePacking(manifest) {
      return stripPrivateDependencies(manifest)
    },
  },
}
