import { readFileSync } from 'node:fs'
import { runInbox } from './commands/inbox.js'
import { runSend } from './commands/send.js'
import { runServe } from './commands/serve.js'
import { MAIN_HELP } from './help.js'
import { EXIT, type Io, processIo } from './output.js'

/** The package's version, read from its package.json (one level above `dist/` and `src/`). */
export function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))
  return String(pkg.version)
}

/**
 * Runs the `mailx` command line and resolves with its exit code. `io` lets embedders and tests
 * run it in-process; `signal` stops a running `serve`.
 *
 * @example
 * process.exitCode = await main(['send', '--from', 'me@example.com', '--to', 'you@example.com', '--text', 'Hi'])
 */
export async function main(
  argv: string[],
  io: Io = processIo(),
  signal?: AbortSignal,
): Promise<number> {
  const [command, ...rest] = argv
  switch (command) {
    case 'send':
      return runSend(rest, io)
    case 'inbox':
      return runInbox(rest, io)
    case 'serve':
      return runServe(rest, io, signal)
    case '--version':
    case '-V':
      io.stdout.write(`${version()}\n`)
      return EXIT.ok
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      io.stdout.write(MAIN_HELP)
      return EXIT.ok
    default:
      io.stderr.write(`mailx: unknown command ${JSON.stringify(command)} (see: mailx --help)\n`)
      return EXIT.failure
  }
}
