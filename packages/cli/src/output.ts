/**
 * Exit codes, the one-line error report and the TTY progress line. Everything the CLI prints
 * about failures goes through here so that "one clear line, no stack trace" holds everywhere.
 */

/** Exit codes of every command. */
export const EXIT = {
  /** Every recipient accepted (or the command succeeded). */
  ok: 0,
  /** The command failed: one line on stderr names the cause. */
  failure: 1,
  /** The message was sent but some recipients were rejected (they are listed). */
  partial: 2,
} as const

/**
 * A failure the CLI explains in one line. `cause` keeps the original error for `--verbose`.
 *
 * @example
 * throw new CliError(`file not found: ${path}`, { cause: err })
 */
export class CliError extends Error {
  override readonly name = 'CliError'
  readonly exitCode: number

  constructor(message: string, options?: { cause?: unknown; exitCode?: number }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause })
    this.exitCode = options?.exitCode ?? EXIT.failure
  }
}

/** A wrong command line: the message ends with a pointer to the command's help. */
export class UsageError extends CliError {
  constructor(message: string, command?: string) {
    super(`${message} (see: mailx ${command ? `${command} ` : ''}--help)`)
  }
}

/**
 * Where the CLI reads and writes. Injected so that commands can run in-process (tests, embedders).
 *
 * @example
 * const code = await main(['inbox', '--json'], { ...processIo(), env: { MAIL_INBOX: '/tmp/box' } })
 */
export interface Io {
  stdout: NodeJS.WritableStream & { isTTY?: boolean }
  stderr: NodeJS.WritableStream & { isTTY?: boolean }
  stdin: NodeJS.ReadableStream & { isTTY?: boolean }
  env: Record<string, string | undefined>
  cwd: string
}

/** The default Io of a real process. */
export function processIo(): Io {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    cwd: process.cwd(),
  }
}

/** Node's system error shape (errno errors from fs and net). */
function errnoCode(err: unknown): string | undefined {
  if (typeof err === 'object' && err !== null && 'code' in err) {
    const code = (err as { code: unknown }).code
    return typeof code === 'string' ? code : undefined
  }
  return undefined
}

/** The first errno code found on an error or along its `cause` chain. */
export function findErrno(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; e && depth < 8; depth++) {
    const code = errnoCode(e)
    if (code) return code
    e = (e as { cause?: unknown }).cause
  }
  return undefined
}

/**
 * Wraps a filesystem error into a CliError naming the path: "file not found: ./a.pdf".
 * Other errors pass through unchanged.
 */
export function fileError(err: unknown, path: string): unknown {
  switch (errnoCode(err)) {
    case 'ENOENT':
      return new CliError(`file not found: ${path}`, { cause: err })
    case 'EACCES':
    case 'EPERM':
      return new CliError(`permission denied: ${path}`, { cause: err })
    case 'EISDIR':
      return new CliError(`is a directory, not a file: ${path}`, { cause: err })
    default:
      return err
  }
}

/**
 * Writes the failure report: one line without `--verbose`, the line plus the stack (and causes)
 * with it. Returns the exit code to use.
 */
export function reportError(io: Io, err: unknown, line: string, verbose: boolean): number {
  io.stderr.write(`mailx: ${printable(line)}\n`)
  if (verbose) {
    for (let e: unknown = err, depth = 0; e && depth < 8; depth++) {
      const text = e instanceof Error ? (e.stack ?? String(e)) : String(e)
      io.stderr.write(`${depth === 0 ? '' : 'caused by: '}${text}\n`)
      e = e instanceof Error ? e.cause : undefined
    }
  }
  return err instanceof CliError ? err.exitCode : EXIT.failure
}

/** Human-readable byte count: 512 B, 1.5 KB, 12.3 MB. */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`
  return `${(n / (1024 * 1024)).toFixed(1)} MB`
}

/** A duration for people: '45 s', '3 min 20 s', '2 h 5 min'. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds))
  if (s < 60) return `${s} s`
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`
}

/**
 * The progress bar of a message being sent: octets sent of the total, the rate since `since`
 * (octets and milliseconds at the first report) and the time left at that rate.
 *
 * @example
 * sendingBar(150e6, 300e6, { sent: 0, ms: 0 }, 3000)
 * // 'sending [##########----------]  50% 143.1 MB of 286.1 MB, 47.7 MB/s, 3 s left'
 */
export function sendingBar(
  sent: number,
  total: number | undefined,
  since: { sent: number; ms: number },
  nowMs: number,
  width = 20,
): string {
  const seconds = (nowMs - since.ms) / 1000
  const rate = seconds > 0.2 ? (sent - since.sent) / seconds : 0
  const speed = rate > 0 ? `, ${formatBytes(Math.round(rate))}/s` : ''
  if (total === undefined || total === 0) return `sending ${formatBytes(sent)}${speed}`
  const share = Math.min(1, sent / total)
  const filled = Math.round(share * width)
  const bar = `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}]`
  const pct = `${Math.floor(share * 100)}%`.padStart(4)
  const left = rate > 0 && sent < total ? `, ${formatDuration((total - sent) / rate)} left` : ''
  return `sending ${bar} ${pct} ${formatBytes(sent)} of ${formatBytes(total)}${speed}${left}`
}

/**
 * A single status line on a TTY stderr, rewritten in place. On anything that is not a TTY (a
 * pipe, a file, CI) or with `--json` it is silent, so machine output stays clean.
 *
 * @example
 * const progress = createProgress(io, { enabled: !json })
 * progress.update('reading big.iso 42%')
 * progress.done()
 */
export interface Progress {
  readonly active: boolean
  /**
   * Shows `text`. A `frequent` update (a percentage) is skipped when the line was redrawn less
   * than the interval ago; a phase change (`frequent` false) always shows.
   */
  update(text: string, frequent?: boolean): void
  /** Clears the line (call before printing results). */
  done(): void
}

export function createProgress(io: Io, opts: { enabled: boolean; intervalMs?: number }): Progress {
  const active = opts.enabled && io.stderr.isTTY === true
  const interval = opts.intervalMs ?? 80
  let last = 0
  let shown = false
  return {
    active,
    update(text, frequent = false) {
      if (!active) return
      const now = Date.now()
      // Redrawing on every chunk of a large file would cost more than the work it reports.
      if (frequent && shown && now - last < interval) return
      last = now
      shown = true
      const width = (io.stderr as { columns?: number }).columns ?? 80
      io.stderr.write(`\r\x1b[K${text.slice(0, Math.max(10, width - 1))}`)
    },
    done() {
      if (!active || !shown) return
      shown = false
      io.stderr.write('\r\x1b[K')
    },
  }
}

/**
 * Text from a message or a server made safe for a terminal: control characters other than tab
 * and line feed (ESC above all, which can rewrite the screen or the title) are shown as `\xNN`.
 *
 * @example
 * printable('Subject: \x1b]0;pwned\x07') // 'Subject: \\x1b]0;pwned\\x07'
 */
export function printable(text: string): string {
  return text
    .replace(/\r\n/g, '\n')
    .replace(
      /[\x00-\x08\x0b-\x1f\x7f-\x9f]/g,
      (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`,
    )
}

// Unicode's invisible reorderers (bidi embeddings, overrides, isolates and marks, Unicode 15
// Table 2-8 and UAX #9) and the line and paragraph separators: in a terminal they can make a
// subject or an address read as something else (U+202E turns "exe.txt" into "txt.exe").
const DECEPTIVE = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/g
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g

/**
 * Text that someone else wrote (a message, an SMTP client) made safe for a terminal: what
 * {@link printable} escapes, and also bidi controls, line separators and lone surrogates, shown
 * as `\uXXXX`.
 *
 * @example
 * foreignText('invoice\u202Efdp.exe') // 'invoice\\u202efdp.exe'
 */
export function foreignText(text: string): string {
  const codePoint = (c: string) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`
  return printable(text).replace(DECEPTIVE, codePoint).replace(LONE_SURROGATE, codePoint)
}
