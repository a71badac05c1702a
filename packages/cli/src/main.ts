import { readFileSync } from 'node:fs'
import { MAIN_HELP } from './help.js'
import { EXIT, type Io, processIo } from './output.js'
import { closest } from './suggest.js'

/** The commands `mailx help COMMAND` knows. */
const COMMANDS = ['send', 'inbox', 'serve', 'enqueue', 'worker']

/** The package's version, read from its package.json (one level above `dist/` and `src/`). */
export function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))
  return String(pkg.version)
}

/**
 * Runs the `mailx` command line and resolves with its exit code. `io` lets embedders and tests
 * run it in-process; `signal` stops a running `serve` or `worker`.
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
  // Each command loads only what it uses: a parser or a server library costs hundreds of
  // milliseconds of start-up, which `--help` or a plain send should not pay.
  switch (command) {
    case 'send':
      return (await import('./commands/send.js')).runSend(rest, io)
    case 'inbox':
      return (await import('./commands/inbox.js')).runInbox(rest, io)
    case 'serve':
      return (await import('./commands/serve.js')).runServe(rest, io, signal)
    case 'enqueue':
      return (await import('./commands/enqueue.js')).runEnqueue(rest, io)
    case 'worker':
      return (await import('./commands/worker.js')).runWorker(rest, io, signal)
    case '--version':
    case '-V':
      io.stdout.write(`${version()}\n`)
      return EXIT.ok
    case 'help':
      // `mailx help send` is `mailx send --help`.
      if (rest[0] !== undefined && COMMANDS.includes(rest[0])) {
        return main([rest[0], '--help'], io, signal)
      }
      io.stdout.write(MAIN_HELP)
      return EXIT.ok
    case undefined:
    case '--help':
    case '-h':
      io.stdout.write(MAIN_HELP)
      return EXIT.ok
    default: {
      const meant = closest(command, COMMANDS)
      const hint = meant === undefined ? '' : `: did you mean ${meant}?`
      io.stderr.write(
        `mailx: unknown command ${JSON.stringify(command)}${hint} (see: mailx --help)\n`,
      )
      return EXIT.failure
    }
  }
}
