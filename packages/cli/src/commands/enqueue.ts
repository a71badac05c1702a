import { buildMessageStream } from '@mail/mime'
import type { MessageStatus } from '@mail/queue'
import { type EnqueueArgs, parseEnqueueArgs } from '../args.js'
import { describeErrorLine } from '../errors.js'
import { ENQUEUE_HELP } from '../help.js'
import { messageFromArgs } from '../message.js'
import { CliError, createProgress, EXIT, type Io, printable, reportError } from '../output.js'
import { checkRedis, redisHostPort } from '../redis.js'

/** One recipient's line of `--status`: its address, its outcome and the server's reply. */
function recipientLine(r: MessageStatus['recipients'][number]): string {
  const text = r.response ?? ''
  // The response is usually the reply line itself, its code included: say the code once.
  const reply = /^\d{3}\b/.test(text)
    ? text
    : [r.code, r.enhancedCode, text].filter((x) => x !== undefined && x !== '').join(' ')
  return `  ${r.status}: ${r.address}${reply === '' ? '' : ` (${printable(reply)})`}`
}

/** `--status ID`: the job's state, attempts and each recipient's outcome. */
function printStatus(io: Io, id: string, status: MessageStatus, json: boolean): void {
  if (json) {
    io.stdout.write(`${JSON.stringify({ id, ...status }, null, 2)}\n`)
    return
  }
  const attempts = `${status.attempts} attempt${status.attempts === 1 ? '' : 's'}`
  io.stdout.write(`job ${id}: ${status.state} (${attempts})\n`)
  if (status.messageId !== undefined) io.stdout.write(`  Message-ID: ${status.messageId}\n`)
  for (const r of status.recipients) io.stdout.write(`${recipientLine(r)}\n`)
  if (status.error !== undefined) io.stdout.write(`  error: ${printable(status.error)}\n`)
}

/** The queue's options for a new job, from the command line. */
function jobOptions(args: EnqueueArgs) {
  return {
    ...(args.idempotencyKey === undefined ? {} : { idempotencyKey: args.idempotencyKey }),
    ...(args.delayMs === undefined ? {} : { delayMs: args.delayMs }),
    ...(args.priority === undefined ? {} : { priority: args.priority }),
  }
}

/**
 * `mailx enqueue`: puts a message on the queue and prints the job's id (a worker sends it), or
 * with `--status ID` prints what became of a job. Returns the exit code.
 */
export async function runEnqueue(argv: string[], io: Io): Promise<number> {
  let args: EnqueueArgs | undefined
  let where: string | undefined
  const progress = createProgress(io, { enabled: false })
  try {
    args = parseEnqueueArgs(argv, io.env)
    if (args.help) {
      io.stdout.write(ENQUEUE_HELP)
      return EXIT.ok
    }
    // The message is read and checked first: a missing file fails before Redis is involved.
    const message =
      args.status === undefined ? await messageFromArgs(args, io, progress, 'enqueue') : undefined
    // A message that cannot be built is refused before Redis is asked (it reads nothing yet).
    if (message !== undefined) buildMessageStream(message)
    where = redisHostPort(args.redis)
    await checkRedis(args.redis)
    const { createQueue } = await import('@mail/queue')
    const queue = createQueue({
      connection: args.redis,
      ...(args.queue === undefined ? {} : { name: args.queue }),
    })
    try {
      if (message === undefined) {
        const id = args.status as string
        const status = await queue.status(id)
        if (status === null) {
          throw new CliError(
            `no job ${JSON.stringify(id)} on queue ${args.queue ?? 'mail'} at ${where}`,
          )
        }
        printStatus(io, id, status, args.json)
        return EXIT.ok
      }
      const { id } = await queue.enqueue(message, jobOptions(args))
      io.stdout.write(args.json ? `${JSON.stringify({ id })}\n` : `${id}\n`)
      return EXIT.ok
    } finally {
      await queue.close()
    }
  } catch (err) {
    const line = describeErrorLine(err, where)
    if (args?.json) io.stdout.write(`${JSON.stringify({ error: line })}\n`)
    return reportError(io, err, line, args?.verbose ?? argv.includes('--verbose'))
  }
}
