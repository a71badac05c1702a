import { parseServeArgs, type ServeArgs } from '../args.js'
import { describeErrorLine } from '../errors.js'
import { SERVE_HELP } from '../help.js'
import { startInboxServer } from '../inbox/server.js'
import { inboxDir } from '../inbox/store.js'
import { EXIT, fileError, type Io, printable, reportError } from '../output.js'

/** Resolves when the process is asked to stop (Ctrl-C or SIGTERM), or when `signal` aborts. */
function stopRequested(signal?: AbortSignal): { promise: Promise<string>; dispose(): void } {
  let dispose = () => {}
  const promise = new Promise<string>((resolve) => {
    const onSignal = (name: string) => () => resolve(name)
    const int = onSignal('SIGINT')
    const term = onSignal('SIGTERM')
    const abort = () => resolve('abort')
    process.once('SIGINT', int)
    process.once('SIGTERM', term)
    signal?.addEventListener('abort', abort, { once: true })
    dispose = () => {
      process.off('SIGINT', int)
      process.off('SIGTERM', term)
      signal?.removeEventListener('abort', abort)
    }
  })
  return { promise, dispose: () => dispose() }
}

/**
 * `mailx serve`: the inbox as a long-lived SMTP server. Returns the exit code once stopped:
 * 0 after Ctrl-C/SIGTERM (or `signal`), 1 when it cannot listen.
 */
export async function runServe(argv: string[], io: Io, signal?: AbortSignal): Promise<number> {
  let args: ServeArgs | undefined
  try {
    args = parseServeArgs(argv)
    if (args.help) {
      io.stdout.write(SERVE_HELP)
      return EXIT.ok
    }
    const { json } = args
    const dir = inboxDir(io.env, io.cwd)
    const stop = stopRequested(signal)
    const server = await startInboxServer({
      dir,
      host: args.host,
      port: args.port,
      onStoreError(err) {
        io.stderr.write(`mailx: ${printable(describeErrorLine(fileError(err, dir)))}\n`)
      },
      onMessage(m) {
        if (json) io.stdout.write(`${JSON.stringify({ received: m })}\n`)
        else
          io.stdout.write(
            printable(
              `received ${m.path} from <${m.envelope.from}> to ${m.envelope.to.map((a) => `<${a}>`).join(', ')}\n`,
            ),
          )
      },
    }).catch((err: unknown) => {
      stop.dispose()
      throw err
    })
    const url = `smtp://${server.host.includes(':') ? `[${server.host}]` : server.host}:${server.port}`
    if (json)
      io.stdout.write(
        `${JSON.stringify({ listening: { host: server.host, port: server.port, url, inbox: dir } })}\n`,
      )
    else
      io.stdout.write(
        `mailx inbox listening on ${url}, storing messages in ${dir} (Ctrl-C to stop)\n`,
      )
    const why = await stop.promise
    stop.dispose()
    await server.close()
    if (json) io.stdout.write(`${JSON.stringify({ stopped: why })}\n`)
    else io.stdout.write(`stopped (${why})\n`)
    return EXIT.ok
  } catch (err) {
    const port = args ? `${args.host}:${args.port}` : undefined
    const line = describeListenError(err, port)
    return reportError(io, err, line, args?.verbose ?? argv.includes('--verbose'))
  }
}

function describeListenError(err: unknown, hostPort: string | undefined): string {
  const code = (err as { code?: string }).code
  if (code === 'EADDRINUSE') return `port already in use: ${hostPort}`
  if (code === 'EACCES') return `permission denied to listen on ${hostPort}`
  if (code === 'EADDRNOTAVAIL') return `address not available: ${hostPort}`
  return describeErrorLine(err, hostPort)
}
