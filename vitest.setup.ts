import fc from 'fast-check'

// Property tests explore new inputs on every local run; CI replays one fixed seed so that a
// landing is reproducible (FC_SEED overrides either way, and a failure prints its seed).
const seed = process.env.FC_SEED ?? (process.env.CI ? '20261128' : undefined)
if (seed !== undefined) fc.configureGlobal({ seed: Number(seed) })
