import { type Inbox, inboxDir, startInbox } from '@mail/inbox'
import type { MessageStatus } from '@mail/queue'
import type { SmtpTransportOptions } from '@mail/send'
import { parseWorkerArgs, type RateArg, type WorkerArgs } from '../args.js'
import { describeErrorLine, type ErrorContext } from '../errors.js'
import { WORKER_HELP } from '../help.js'
import { readInputFile } from '../message.js'
import { givenServer, networkOptions, oauth2Settings, proxyOf } from '../network.js'
import { createProgress, EXIT, type Io, printable, reportError } from '../output.js'
import { checkRedis, redisHostPort } from '../redis.js'
import { stopRequested } from '../stop.js'
import { chooseTarget, inboxEndpoint } from '../transport.js'

/** `--rate 200/1s` as it was meant, for the start line. */
const rateText = (r: RateArg) =>
  `${r.messages}/${r.perMs >= 1000 ? `${r.perMs / 1000}s` : `${r.perMs}ms`}`

/** One line per finished job: its id, its state, and the recipients that were not accepted. */
export function jobLine(id: string, job: MessageStatus): string {
  const accepted = job.recipients.filter((r) => r.status === 'accepted').length
  const others = job.recipients
    .filter((r) => r.status !== 'accepted')
    .map((r) => `${r.status} ${r.address}${r.code === undefined ? '' : ` (${r.code})`}`)
  const counts = `${accepted}/${job.recipients.length} accepted`
  return printable(`${job.state} ${id}: ${[counts, ...others].join(', ')}`)
}

/** Where the worker delivers, how it is named in messages, and what to close at the end. */
interface Delivery {
  options: SmtpTransportOptions
  where: ErrorContext
  /** `host:port`, or the embedded inbox's folder. */
  shown: string
  /** The embedded inbox, when there is no server. */
  inbox?: Inbox
}

/**
 * The transport the worker delivers through, from the same flags and variables as `mailx send`:
 * `--smtp`/`SMTP_URL`, `--ca`, `--proxy`/`SMTP_PROXY` and the `--oauth2-*` settings; without a
 * server, as `send`, an embedded inbox in .mail/inbox (or MAIL_INBOX), here for the worker's life.
 */
async function deliveryOf(args: WorkerArgs, io: Io, server: string | undefined): Promise<Delivery> {
  const oauth2 = server === undefined ? undefined : oauth2Settings(args, io.env, 'worker')
  const dir = inboxDir(io.env, io.cwd)
  const target = chooseTarget(args.smtp, io.env, dir, oauth2 !== undefined, 'worker')
  if (target.kind === 'inbox') {
    const inbox = await startInbox({ dir: target.dir, smtp: { port: 0 }, http: false })
    return { options: inboxEndpoint(inbox), where: {}, shown: `the embedded inbox ${dir}`, inbox }
  }
  const network = networkOptions(proxyOf(args, io.env), oauth2, target.user, 'worker')
  const ca =
    args.ca === undefined
      ? undefined
      : (await readInputFile(args.ca, createProgress(io, { enabled: false }))).toString()
  const options: SmtpTransportOptions = {
    url: target.url,
    ...network,
    ...(ca === undefined ? {} : { tls: { ca } }),
  }
  const where = { url: target.source, hostPort: target.hostPort }
  return { options, where, shown: target.hostPort }
}

/**
 * `mailx worker`: takes jobs from the queue and sends them until Ctrl-C or SIGTERM, then
 * finishes its active jobs and returns 0. Prints one line per finished job (JSON with --json).
 */
export async function runWorker(argv: string[], io: Io, signal?: AbortSignal): Promise<number> {
  let args: WorkerArgs | undefined
  let where: ErrorContext = {}
  try {
    args = parseWorkerArgs(argv, io.env)
    if (args.help) {
      io.stdout.write(WORKER_HELP)
      return EXIT.ok
    }
    const server = givenServer(args, io.env, 'worker')
    where = { url: args.smtp === undefined ? 'SMTP_URL' : '--smtp' }
    const redisAt = redisHostPort(args.redis)
    await checkRedis(args.redis)
    const { createWorker } = await import('@mail/queue')
    const delivery = await deliveryOf(args, io, server)
    where = delivery.where
    const json = args.json
    let done = 0
    const stop = stopRequested(signal)
    try {
      const worker = createWorker({
        connection: args.redis,
        transport: delivery.options,
        ...(args.queue === undefined ? {} : { name: args.queue }),
        ...(args.concurrency === undefined ? {} : { concurrency: args.concurrency }),
        ...(args.rate === undefined ? {} : { rateLimit: args.rate }),
        ...(args.domainRate === undefined ? {} : { domainRateLimit: args.domainRate }),
        onError(error) {
          io.stderr.write(`worker: ${describeErrorLine(error, where)}\n`)
        },
        onSettled(id, status) {
          done++
          io.stdout.write(
            json ? `${JSON.stringify({ job: { id, ...status } })}\n` : `${jobLine(id, status)}\n`,
          )
        },
      })
      await worker.ready()
      const limits = [
        args.concurrency === undefined ? '' : `concurrency ${args.concurrency}`,
        args.rate === undefined ? '' : `rate ${rateText(args.rate)}`,
        args.domainRate === undefined ? '' : `per domain ${rateText(args.domainRate)}`,
      ].filter(Boolean)
      const started = {
        queue: args.queue ?? 'mail',
        redis: redisAt,
        smtp: delivery.shown,
      }
      io.stdout.write(
        json
          ? `${JSON.stringify({ started })}\n`
          : `worker on queue ${started.queue} at ${redisAt}, sending to ${started.smtp}${limits.length > 0 ? ` (${limits.join(', ')})` : ''} (Ctrl-C to stop)\n`,
      )
      const why = await stop.promise
      if (!json) io.stdout.write(`stopping (${why}): finishing active jobs\n`)
      await worker.close()
      io.stdout.write(
        json
          ? `${JSON.stringify({ stopped: why, jobs: done })}\n`
          : `stopped (${why}) after ${done} job${done === 1 ? '' : 's'}\n`,
      )
      return EXIT.ok
    } finally {
      stop.dispose()
      await delivery.inbox?.close()
    }
  } catch (err) {
    const line = describeErrorLine(err, where)
    return reportError(io, err, line, args?.verbose ?? argv.includes('--verbose'))
  }
}
