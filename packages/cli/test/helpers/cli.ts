import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { finished, type ProcessResult } from '@mail/testkit'

/** The built CLI, run exactly as `pnpm mail` and the `mailx` bin run it. */
export const BIN = resolve(import.meta.dirname, '../../dist/bin.js')

/** What the CLI printed and how it ended. */
export type CliResult = ProcessResult

export interface CliOptions {
  /** Working directory: the default inbox is `.mail/inbox` under it. */
  cwd: string
  env?: Record<string, string>
  /** Piped to stdin; without it stdin is /dev/null (not a TTY, empty). */
  input?: string | Uint8Array
}

/** The environment of a spawned CLI: the test's, minus anything that would redirect sending. */
function cliEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = { ...process.env }
  delete env.SMTP_URL
  delete env.MAIL_INBOX
  delete env.NODE_OPTIONS
  return { ...env, ...extra }
}

/** Starts the CLI; the caller collects its output and exit with {@link finished}. */
export function spawnCli(args: string[], opts: CliOptions): ChildProcess {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: opts.cwd,
    env: cliEnv(opts.env),
    stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
  })
  if (opts.input !== undefined) child.stdin?.end(opts.input)
  return child
}

/** Runs the CLI to completion. */
export function runCli(args: string[], opts: CliOptions): Promise<CliResult> {
  return finished(spawnCli(args, opts))
}

/** A fresh working directory for one test, removed by the returned cleanup. */
export async function tempDir(): Promise<{ dir: string; cleanup(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'mailx-cli-'))
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) }
}
