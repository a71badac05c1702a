import { emlPath, type Inbox, inboxDir, startInbox } from '@mail/inbox'
import { parseServeArgs, type ServeArgs } from '../args.js'
import { describeErrorLine } from '../errors.js'
import { SERVE_HELP } from '../help.js'
import { EXIT, fileError, foreignText, type Io, printable, reportError } from '../output.js'
import { stopRequested } from '../stop.js'

/** Starts the inbox the command line describes; each received message is reported on stdout. */
async function start(args: ServeArgs, io: Io, dir: string): Promise<Inbox> {
  const inbox = await startInbox({
    dir,
    smtp: { host: args.host, port: args.port },
    http: { host: args.host, port: args.httpPort },
    limits: {
      ...(args.maxMessageSize === undefined ? {} : { maxMessageSize: args.maxMessageSize }),
      ...(args.maxConnections === undefined ? {} : { maxConnections: args.maxConnections }),
    },
    onError(err) {
      io.stderr.write(`mailx: ${printable(describeErrorLine(fileError(err, dir)))}\n`)
    },
  })
  inbox.subscribe((event) => {
    if (event.type !== 'message') return
    const { id, envelope, size } = event.message
    const path = emlPath(dir, id)
    if (args.json) io.stdout.write(`${JSON.stringify({ received: { path, envelope, size } })}\n`)
    else
      io.stdout.write(
        `${foreignText(`received ${path} from <${envelope.from}> to ${envelope.to.map((a) => `<${a}>`).join(', ')}`)}\n`,
      )
  })
  return inbox
}

/**
 * `mailx serve`: the inbox as a long-lived server, SMTP and the web page. Returns the exit code
 * once stopped: 0 after Ctrl-C/SIGTERM (or `signal`), 1 when it cannot listen.
 */
export async function runServe(argv: string[], io: Io, signal?: AbortSignal): Promise<number> {
  let args: ServeArgs | undefined
  const dir = inboxDir(io.env, io.cwd)
  try {
    args = parseServeArgs(argv)
    if (args.help) {
      io.stdout.write(SERVE_HELP)
      return EXIT.ok
    }
    const stop = stopRequested(signal)
    const inbox = await start(args, io, dir).catch((err: unknown) => {
      stop.dispose()
      throw err
    })
    if (args.json) {
      const listening = {
        host: args.host,
        port: Number(new URL(inbox.smtpUrl).port),
        url: inbox.smtpUrl,
        httpUrl: inbox.httpUrl,
        inbox: dir,
      }
      io.stdout.write(`${JSON.stringify({ listening })}\n`)
    } else {
      io.stdout.write(`SMTP ${inbox.smtpUrl}\nWeb ${inbox.httpUrl}\n`)
      io.stdout.write(`Storing messages in ${dir} (Ctrl-C to stop)\n`)
    }
    const why = await stop.promise
    stop.dispose()
    await inbox.close()
    if (args.json) io.stdout.write(`${JSON.stringify({ stopped: why })}\n`)
    else io.stdout.write(`stopped (${why})\n`)
    return EXIT.ok
  } catch (err) {
    const line = describeListenError(fileError(err, dir))
    return reportError(io, err, line, args?.verbose ?? argv.includes('--verbose'))
  }
}

/** Where a listen failed, as `host:port` (the error says which of the two sides it was). */
function listenAddress(err: unknown): string | undefined {
  const { address, port } = err as { address?: string; port?: number }
  if (address === undefined || port === undefined) return undefined
  return `${address.includes(':') ? `[${address}]` : address}:${port}`
}

function describeListenError(err: unknown): string {
  const code = (err as { code?: string }).code
  const at = listenAddress(err)
  if (code === 'EADDRINUSE') return `port already in use: ${at}`
  if (code === 'EACCES') return `permission denied to listen on ${at}`
  if (code === 'EADDRNOTAVAIL') return `address not available: ${at}`
  if (code === 'ENOTDIR') return `not a folder: ${(err as { path?: string }).path}`
  return describeErrorLine(err, at)
}
