import { type ChildProcess, type SpawnOptions, spawn } from 'node:child_process'

/** What a child process printed and how it ended. */
export interface ProcessResult {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
}

/**
 * Collects what a spawned `child` prints (its stdout and stderr, when they are pipes) and
 * resolves once it has closed; rejects if it could not be started.
 */
export function finished(child: ChildProcess): Promise<ProcessResult> {
  let stdout = ''
  let stderr = ''
  child.stdout?.on('data', (c: Buffer) => {
    stdout += c.toString()
  })
  child.stderr?.on('data', (c: Buffer) => {
    stderr += c.toString()
  })
  return new Promise((resolve, reject) => {
    child.on('error', reject)
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }))
  })
}

/** Runs `command` to its end with stdin empty (/dev/null), collecting its output. */
export function run(
  command: string,
  args: string[],
  options: Omit<SpawnOptions, 'stdio'> = {},
): Promise<ProcessResult> {
  return finished(spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] }))
}

/** The JSON a child printed as its last line of output; throws with its output otherwise. */
export function lastJsonLine<T>(result: ProcessResult): T {
  const last = result.stdout.trim().split('\n').at(-1) ?? ''
  try {
    return JSON.parse(last) as T
  } catch {
    throw new Error(
      `the child printed no report (exit ${result.code}): ${result.stdout}\n${result.stderr}`,
    )
  }
}
