import type { ChildProcess } from 'node:child_process'
import { rmSync } from 'node:fs'
import { rm } from 'node:fs/promises'

/** Synchronous last-resort cleanups, run when the test process exits without calling stop(). */
const cleanups = new Set<() => void>()
let installed = false

function runAll(): void {
  for (const fn of cleanups) {
    try {
      fn()
    } catch {
      // best effort: the process is exiting anyway
    }
  }
  cleanups.clear()
}

/** Registers `fn` to run at process exit; returns a function that unregisters it. */
export function onExit(fn: () => void): () => void {
  if (!installed) {
    installed = true
    process.once('exit', runAll)
  }
  cleanups.add(fn)
  return () => {
    cleanups.delete(fn)
  }
}

/** Kills `child` (SIGKILL) and removes `dir` at process exit unless unregistered first. */
export function guardChild(child: ChildProcess, dir?: string): () => void {
  return onExit(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true })
  })
}

/** Resolves once `child` has exited (immediately if it already has). */
export function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((resolve) => child.once('exit', () => resolve()))
}

/**
 * The idempotent stop of a server process that ends itself when its stdin closes: closes stdin,
 * kills it after `graceMs` if it has not exited, removes `dir`, and unregisters the exit guard.
 */
export function stopper(
  child: ChildProcess,
  options: { dir: string; graceMs: number; unguard: () => void },
): () => Promise<void> {
  let stopped: Promise<void> | undefined
  return () => {
    stopped ??= (async () => {
      child.stdin?.end()
      const timer = setTimeout(() => child.kill('SIGKILL'), options.graceMs)
      await exited(child)
      clearTimeout(timer)
      await rm(options.dir, { recursive: true, force: true })
      options.unguard()
    })()
    return stopped
  }
}
