// Timing and memory helpers shared by every bench area.
// Timing: a warm-up, then several timed runs; the median run is reported, so one run disturbed
// by the other processes on this shared machine does not decide the figure.
import { fork } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import { Worker } from 'node:worker_threads'

const here = dirname(fileURLToPath(import.meta.url))

export const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

export const gc = () => {
  if (typeof globalThis.gc === 'function') {
    globalThis.gc()
    globalThis.gc()
  }
}

/**
 * gc(), then a pause of 20 ms before anything is timed: a full collection leaves sweeping to
 * helper threads, and the process CPU clock would bill that work to whichever side runs next
 * (about 1 ms of CPU per collection here, as much as eight 1 MiB base64 encodings).
 */
export const gcAndSettle = async () => {
  gc()
  await new Promise((resolve) => setTimeout(resolve, 20))
}

/** Process CPU time (user + system, every thread: GC, crypto thread pool) in ms. */
export const cpuNow = () => {
  const u = process.cpuUsage()
  return (u.user + u.system) / 1000
}

/**
 * A side measured in operations per second: `fn` (sync or async; an async fn is awaited before
 * the next call) called for about `runMs` of wall time per run. Each run reports both clocks;
 * `clock: 'cpu'` makes the process CPU time the figure (steadier than wall time on a machine
 * shared with other work, for work that is all in this process). Use with `interleaved`.
 */
export function rateSide(
  fn,
  { warmupMs = 1000, maxWarmupMs = 10_000, runMs = 1000, clock = 'wall' } = {},
) {
  let isAsync = false
  const loop = async (ms) => {
    let count = 0
    const start = performance.now()
    const cpu0 = cpuNow()
    const end = start + ms
    let now = start
    if (isAsync) {
      while (now < end) {
        await fn()
        count++
        now = performance.now()
      }
    } else {
      while (now < end) {
        for (let i = 0; i < 16; i++) fn()
        count += 16
        now = performance.now()
      }
    }
    const wall = (count * 1000) / (now - start)
    const cpu = (count * 1000) / Math.max(cpuNow() - cpu0, 0.001)
    return { value: clock === 'cpu' ? cpu : wall, wall }
  }
  return {
    // Until the rate stops climbing: Nodemailer needs 2-5 s of calls on this machine before its
    // code is optimised, and timing it earlier would flatter our side.
    async warmup() {
      const first = fn()
      isAsync = first instanceof Promise
      if (isAsync) await first
      const end = performance.now() + maxWarmupMs
      let best = 0
      let flat = 0
      const start = performance.now()
      while (performance.now() < end) {
        const { wall } = await loop(500)
        if (wall > best * 1.05) {
          best = wall
          flat = 0
        } else if (++flat >= 3 && performance.now() - start >= warmupMs) break
      }
    },
    once: () => loop(runMs),
  }
}

/** A side measured in ms per call of `fn`, by `clock` ('wall' or 'cpu'). Use with `interleaved`. */
export function timeSide(fn, { warmupMs = 500, clock = 'wall' } = {}) {
  return {
    warmup: () => warmFor(fn, warmupMs),
    once: () => timeOnce(fn, clock),
  }
}

/**
 * Warms a side up: calls `fn` until at least `ms` have passed and it ran `min` times. Both our
 * client and the sink process need well over a few hundred messages before the JIT has settled;
 * a short warm-up under-reports whichever side is measured first.
 */
export async function warmFor(fn, ms = 2000, min = 2) {
  const end = performance.now() + ms
  for (let i = 0; i < min || performance.now() < end; i++) await fn()
}

const withTimeout = (promise, ms, label) => {
  let timer
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${label}: no result after ${ms / 1000} s`)), ms)
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}

/**
 * Measures several sides `{ name: { warmup?(), once() -> number } }` with their timed runs
 * interleaved (a, b, a, b, ...), so a change in the machine's load hits every side alike; the
 * median of `runs` runs is each side's figure. No gc() between runs unless `gcFirst`: a forced
 * full collection throws away optimised code, and Nodemailer then runs about 5x slower until it
 * has warmed up again. A side that throws or hangs gets `{ error }` and
 * the others go on. `once()` resolves a number, or `{ value, wall }` when the figure is CPU
 * time. Resolves `{ name: { value (median), best (lowest), runs, wall } | { error } }`.
 */
export async function interleaved(sides, { runs = 3, timeoutMs = 60_000, gcFirst = false } = {}) {
  const out = {}
  const names = Object.keys(sides).filter((n) => sides[n])
  for (const name of names) {
    try {
      await withTimeout(Promise.resolve(sides[name].warmup?.()), timeoutMs, `${name} warm-up`)
      out[name] = { runs: [] }
    } catch (error) {
      out[name] = { error }
    }
  }
  for (let r = 0; r < runs; r++) {
    for (const name of names) {
      if (out[name].error) continue
      if (gcFirst) await gcAndSettle()
      try {
        const r = await withTimeout(sides[name].once(), timeoutMs, name)
        out[name].runs.push(typeof r === 'number' ? r : r.value)
        if (typeof r !== 'number') {
          out[name].walls ??= []
          out[name].walls.push(r.wall)
        }
      } catch (error) {
        out[name] = { error }
      }
    }
  }
  for (const name of names) {
    const o = out[name]
    if (o.error) continue
    o.value = median(o.runs)
    o.best = Math.min(...o.runs)
    o.wall = o.walls ? median(o.walls) : o.value
  }
  return out
}

/**
 * One call of `fn` (sync or async): ms by `clock`, or with clock 'cpu' `{ value: cpu ms, wall }`.
 */
export async function timeOnce(fn, clock = 'wall') {
  const start = performance.now()
  const cpu0 = cpuNow()
  await fn()
  const wall = performance.now() - start
  return clock === 'cpu' ? { value: cpuNow() - cpu0, wall } : wall
}

/**
 * Median ms (by `clock`) of `iterations` calls after at least `warmup` untimed ones lasting at
 * least `warmupMs`; `wall` too. With
 * `gcFirst` each call starts from a collected heap (for big messages: the previous output's
 * garbage is not collected inside the next timed call).
 */
export async function medianTime(
  fn,
  { warmup = 1, warmupMs = 0, iterations = 5, clock = 'wall', gcFirst = false } = {},
) {
  const { side } = await interleaved(
    { side: { warmup: () => warmFor(fn, warmupMs, warmup), once: () => timeOnce(fn, clock) } },
    { runs: iterations, timeoutMs: 120_000, gcFirst },
  )
  if (side.error) throw side.error
  return side
}

const readHwmBytes = () => {
  const m = /VmHWM:\s+(\d+)\s+kB/.exec(readFileSync('/proc/self/status', 'utf8'))
  return m ? Number(m[1]) * 1024 : 0
}

// The sampler runs in a worker thread so it keeps sampling while the main thread is blocked in a
// synchronous build (a timer on the main thread would never fire then).
const samplerSource = `
const { workerData } = require('node:worker_threads')
const peak = new BigInt64Array(workerData.sab, 0, 1)
const stop = new Int32Array(workerData.sab, 8, 1)
const ready = new Int32Array(workerData.sab, 12, 1)
Atomics.store(ready, 0, 1)
while (Atomics.load(stop, 0) === 0) {
  const rss = BigInt(process.memoryUsage.rss())
  if (rss > Atomics.load(peak, 0)) Atomics.store(peak, 0, rss)
  Atomics.wait(stop, 0, 0, 1)
}
`

/**
 * Tracks the peak RSS from now on: gc, baseline, reset of the kernel's high-water mark
 * (VmHWM, exact) and a 1 ms `process.memoryUsage().rss` sampler in a worker thread.
 * `stop()` resolves { baseline, peak, increase } in bytes, peak = max(sampled, VmHWM).
 */
export async function trackPeakRss() {
  const sab = new SharedArrayBuffer(16)
  const worker = new Worker(samplerSource, { eval: true, workerData: { sab } })
  const ready = new Int32Array(sab, 12, 1)
  while (Atomics.load(ready, 0) === 0) await new Promise((r) => setTimeout(r, 1))
  gc()
  const baseline = process.memoryUsage.rss()
  let hwmReset = true
  try {
    writeFileSync('/proc/self/clear_refs', '5')
  } catch {
    hwmReset = false
  }
  return {
    baseline,
    async stop() {
      const peakView = new BigInt64Array(sab, 0, 1)
      const stopView = new Int32Array(sab, 8, 1)
      Atomics.store(stopView, 0, 1)
      Atomics.notify(stopView, 0)
      await new Promise((resolve) => worker.once('exit', resolve))
      const sampled = Number(Atomics.load(peakView, 0))
      const hwm = hwmReset ? readHwmBytes() : 0
      const peak = Math.max(sampled, hwm, process.memoryUsage.rss())
      return { baseline, peak, increase: peak - baseline, sampled, hwm }
    },
  }
}

// glibc's malloc: with its default dynamic mmap/trim thresholds, whether a big allocation reuses
// the pages freed by the previous one or faults in fresh ones (~100 ms per 10 MiB on this
// machine) depends on the history of allocation sizes, so two builders doing the same work can
// differ several-fold by luck. Timing runs with fixed thresholds (every side reuses its pages:
// the figure is the work the code does); memory measurements with the default policy, as users
// have it.
const MALLOC_KEYS = ['MALLOC_MMAP_THRESHOLD_', 'MALLOC_TRIM_THRESHOLD_']
export const fixedMallocEnv = () => ({
  ...process.env,
  MALLOC_MMAP_THRESHOLD_: String(1 << 30),
  MALLOC_TRIM_THRESHOLD_: String(1 << 30),
})
export const defaultMallocEnv = () => {
  const env = { ...process.env }
  for (const key of MALLOC_KEYS) delete env[key]
  return env
}

// measurement children still running when the bench exits (after a timeout) are ended with it
const live = new Set()
process.on('exit', () => {
  for (const child of live) child.kill('SIGKILL')
})

/**
 * Runs `module`'s exported `fn(args)` in a fresh Node process (with --expose-gc) and resolves
 * its result, so memory peaks of different measurements never mix. Default malloc policy unless
 * `env` says otherwise.
 */
export function runInChild(
  module,
  fn,
  args = {},
  { timeoutMs = 120_000, env = defaultMallocEnv() } = {},
) {
  return new Promise((resolve, reject) => {
    const child = fork(join(here, 'child.mjs'), [module, fn, JSON.stringify(args)], {
      execArgv: ['--expose-gc', '--max-old-space-size=2048'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      env,
    })
    live.add(child)
    let result
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`${module}#${fn} timed out after ${timeoutMs} ms`))
    }, timeoutMs)
    child.on('message', (m) => {
      result = m
    })
    child.on('exit', (code) => {
      live.delete(child)
      clearTimeout(timer)
      if (result?.error) reject(new Error(`${module}#${fn}: ${result.error}`))
      else if (result && 'value' in result) resolve(result.value)
      else reject(new Error(`${module}#${fn} exited with code ${code} and no result`))
    })
  })
}

export const MiB = 1024 * 1024
export const fmtBytes = (n) =>
  n >= MiB ? `${(n / MiB).toFixed(1)} MiB` : `${(n / 1024).toFixed(1)} KiB`
export const fmtRate = (n) => `${Math.round(n).toLocaleString('en-US')}/s`
export const fmtMs = (n) =>
  n >= 100 ? `${n.toFixed(0)} ms` : n >= 1 ? `${n.toFixed(1)} ms` : `${n.toFixed(2)} ms`

/**
 * Returns `attempt(key, fn)`: runs fn, stores its result in `results[key]`, and turns a failure
 * or a hang (over `timeoutMs`) into a note, so one broken side never stops the whole bench.
 */
export function attempter(results, notes, timeoutMs = 60_000) {
  return async (key, fn) => {
    let timer
    const timeout = new Promise((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`no result after ${timeoutMs / 1000} s`)),
        timeoutMs,
      )
    })
    try {
      results[key] = await Promise.race([fn(), timeout])
    } catch (error) {
      notes.push(`${key} failed: ${String(error?.message ?? error).split('\n')[0]}`)
    } finally {
      clearTimeout(timer)
    }
  }
}
