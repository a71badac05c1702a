import fc from 'fast-check'

// Property tests explore new inputs on every local run; CI replays one fixed seed so that a
// landing is reproducible (FC_SEED overrides either way, and a failure prints its seed).
// FC_RUNS raises the number of runs of every property without its own numRuns, for a deeper
// search now and then (e.g. FC_RUNS=2000 pnpm vitest run packages/mime).
const seed = process.env.FC_SEED ?? (process.env.CI ? '20261128' : undefined)
const runs = process.env.FC_RUNS
fc.configureGlobal({
  ...(seed !== undefined && { seed: Number(seed) }),
  ...(runs !== undefined && { numRuns: Number(runs) }),
})
