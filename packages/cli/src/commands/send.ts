import { once } from 'node:events'
import { relative, sep } from 'node:path'
import { emlPath, inboxDir, startInbox } from '@mail/inbox'
import { buildMessageStream, type MessageInput } from '@mail/mime'
import {
  createTransport,
  type SendInfo,
  type SendProgress,
  type SmtpLogEntry,
  type SmtpTransportOptions,
  sendmail,
} from '@mail/send'
import { parseSendArgs, type SendArgs } from '../args.js'
import { type ReadyMessage, readyMessage } from '../eml.js'
import { describeErrorLine, type ErrorContext, replyText } from '../errors.js'
import { SEND_HELP } from '../help.js'
import { contentSize, messageFromArgs, readInputFile, readStdin } from '../message.js'
import { givenServer, networkOptions, oauth2Settings, proxyOf } from '../network.js'
import {
  createProgress,
  EXIT,
  formatBytes,
  type Io,
  type Progress,
  printable,
  reportError,
  sendingBar,
} from '../output.js'
import { chooseTarget, inboxEndpoint, type Target } from '../transport.js'

/** The JSON `send --json` prints on success. */
export interface SendJsonResult {
  messageId: string | null
  envelope: { from: string; to: string[] }
  accepted: string[]
  rejected: { address: string; code: number; enhancedCode?: string; message: string }[]
  response: string
  /** `host:port` for --smtp/SMTP_URL, `inbox` for the embedded inbox. */
  server: string
  /** The stored .eml files, for the embedded inbox. */
  stored?: string[]
}

/** A path relative to the working directory when it is inside it, for shorter output. */
function shown(path: string, cwd: string): string {
  const rel = relative(cwd, path)
  return rel === '' || rel.startsWith('..') || rel.startsWith(sep) ? path : rel
}

/** The SMTP transcript hook: `--verbose` prints it; on a TTY it also drives the progress line. */
function logHook(io: Io, args: SendArgs, progress: Progress, size: number) {
  return (entry: SmtpLogEntry) => {
    if (args.verbose) {
      const tag = entry.direction === 'client' ? 'C:' : entry.direction === 'server' ? 'S:' : '*'
      io.stderr.write(`${tag} ${printable(entry.line)}\n`)
      return
    }
    if (entry.direction !== 'client') return
    const verb = entry.line.split(' ')[0]?.toUpperCase()
    if (verb === 'DATA' || verb === 'BDAT')
      progress.update(`sending message (${formatBytes(size)})`)
    else if (verb === 'MAIL') progress.update('sending envelope')
  }
}

/** Messages at least this large get a progress bar on a terminal. */
const BAR_FROM = 4 * 1024 * 1024

/**
 * Drives the progress bar from the send's reports (octets the socket took): only on a terminal,
 * and only for a message of a few MB or more.
 */
function progressBar(progress: Progress): ((p: SendProgress) => void) | undefined {
  if (!progress.active) return undefined
  let since: { sent: number; ms: number } | undefined
  return ({ sent, total }) => {
    if ((total ?? sent) < BAR_FROM) return
    const now = Date.now()
    since ??= { sent, ms: now }
    // Every report is frequent but the last: that one is always drawn.
    progress.update(sendingBar(sent, total, since, now), sent !== total)
  }
}

async function loadCa(args: SendArgs, progress: Progress): Promise<string | undefined> {
  return args.ca === undefined ? undefined : (await readInputFile(args.ca, progress)).toString()
}

/** Sends a ready message as it is (the builder is not involved) through `@mail/send`. */
async function sendReady(
  ready: ReadyMessage,
  options: SmtpTransportOptions,
  onProgress: ((p: SendProgress) => void) | undefined,
) {
  const transport = createTransport(options)
  try {
    const envelope = ready.smtputf8 ? { ...ready.envelope, smtputf8: true } : ready.envelope
    return await transport.sendRaw(envelope, ready.raw, onProgress && { onProgress })
  } finally {
    await transport.close()
  }
}

interface Sent {
  info: Omit<SendInfo, 'messageId'> & { messageId: string | null }
  /** The .eml files the embedded inbox stored. */
  stored: string[]
}

async function deliver(
  target: Target,
  message: MessageInput | ReadyMessage,
  io: Io,
  args: SendArgs,
  progress: Progress,
  network: Pick<SmtpTransportOptions, 'proxy' | 'auth'>,
): Promise<Sent> {
  const stored: string[] = []
  const inbox =
    target.kind === 'inbox'
      ? await startInbox({ dir: target.dir, smtp: { port: 0 }, http: false })
      : undefined
  inbox?.subscribe((e) => {
    if (e.type === 'message') stored.push(emlPath(inbox.dir, e.message.id))
  })
  try {
    const ca = await loadCa(args, progress)
    const size = 'raw' in message ? message.raw.length : contentSize(message)
    const common = {
      ...network,
      onLog: logHook(io, args, progress, size),
      ...(ca === undefined ? {} : { tls: { ca } }),
    }
    progress.update(
      target.kind === 'smtp'
        ? `connecting to ${target.hostPort}`
        : 'connecting to the embedded inbox',
    )
    const url = target.kind === 'smtp' ? target.url : ''
    // One attempt: a person at a prompt wants the failure now, not after silent retries.
    const transport: SmtpTransportOptions = {
      ...(inbox === undefined ? { url } : inboxEndpoint(inbox)),
      ...common,
      retry: { attempts: 1 },
    }
    const onProgress = progressBar(progress)
    if ('raw' in message) {
      const result = await sendReady(message, transport, onProgress)
      const info = { ...result, envelope: message.envelope, messageId: message.messageId ?? null }
      return { info, stored }
    }
    if (args.smtputf8) transport.build = { smtputf8: true }
    return { info: await sendmail(message, transport, onProgress && { onProgress }), stored }
  } finally {
    await inbox?.close()
  }
}

function printResult(io: Io, target: Target, sent: Sent, json: boolean) {
  const { info, stored } = sent
  const server = target.kind === 'smtp' ? target.hostPort : 'inbox'
  if (json) {
    const out: SendJsonResult = {
      messageId: info.messageId,
      envelope: info.envelope,
      accepted: info.accepted,
      rejected: info.rejected,
      response: info.response,
      server,
    }
    if (target.kind === 'inbox') out.stored = stored
    io.stdout.write(`${JSON.stringify(out, null, 2)}\n`)
    return
  }
  const id = info.messageId ?? '(no Message-ID)'
  if (target.kind === 'inbox') {
    for (const path of stored) {
      io.stdout.write(`Delivered ${id} to the embedded inbox: ${shown(path, io.cwd)}\n`)
    }
  } else {
    io.stdout.write(
      `Sent ${id} via ${target.hostPort} (${target.source}): ${printable(info.response)}\n`,
    )
  }
  io.stdout.write(`  accepted: ${info.accepted.join(', ') || '(none)'}\n`)
  for (const r of info.rejected)
    io.stdout.write(`  rejected: ${r.address} (${printable(replyText(r))})\n`)
}

/**
 * `--dry-run`: the message on stdout instead of sent. Attached files are streamed through, so a
 * large one takes no more memory than sending it; with `--json` the message is one JSON string.
 */
async function dryRun(message: MessageInput | ReadyMessage, args: SendArgs, io: Io) {
  if ('raw' in message) {
    if (!args.json) {
      io.stdout.write(message.raw)
      return
    }
    const raw = Buffer.from(message.raw).toString('utf8')
    const out = {
      dryRun: true,
      messageId: message.messageId ?? null,
      envelope: message.envelope,
      raw,
    }
    io.stdout.write(`${JSON.stringify(out, null, 2)}\n`)
    return
  }
  const built = buildMessageStream(message, { smtputf8: args.smtputf8 })
  if (args.json) {
    const raw = await new Response(built.stream()).text()
    const out = { dryRun: true, messageId: built.messageId, envelope: built.envelope, raw }
    io.stdout.write(`${JSON.stringify(out, null, 2)}\n`)
    return
  }
  for await (const chunk of built.stream()) {
    if (!io.stdout.write(chunk)) await once(io.stdout, 'drain')
  }
}

/** `mailx send`: returns the exit code. */
export async function runSend(argv: string[], io: Io): Promise<number> {
  let args: SendArgs | undefined
  let where: ErrorContext = {}
  let progress = createProgress(io, { enabled: false })
  try {
    args = parseSendArgs(argv)
    if (args.help) {
      io.stdout.write(SEND_HELP)
      return EXIT.ok
    }
    // The transcript and JSON own the terminal when asked for; a status line would garble them.
    progress = createProgress(io, { enabled: !args.json && !args.verbose })
    const server = givenServer(args, io.env, 'send')
    where = { url: args.smtp === undefined ? 'SMTP_URL' : '--smtp' }
    const oauth2 = server === undefined ? undefined : oauth2Settings(args, io.env)
    const target = chooseTarget(args.smtp, io.env, inboxDir(io.env, io.cwd), oauth2 !== undefined)
    const network =
      target.kind === 'smtp' ? networkOptions(proxyOf(args, io.env), oauth2, target.user) : {}
    if (target.kind === 'smtp') where = { url: target.source, hostPort: target.hostPort }

    let message: MessageInput | ReadyMessage
    if (args.eml !== undefined) {
      const raw = args.eml === '-' ? await readStdin(io) : await readInputFile(args.eml, progress)
      message = await readyMessage(raw, args)
    } else {
      message = await messageFromArgs(args, io, progress)
    }

    if (args.dryRun) {
      progress.update('encoding message')
      await dryRun(message, args, io)
      progress.done()
      return EXIT.ok
    }

    progress.update('encoding message')
    const sent = await deliver(target, message, io, args, progress, network)
    progress.done()
    printResult(io, target, sent, args.json)
    return sent.info.rejected.length > 0 ? EXIT.partial : EXIT.ok
  } catch (err) {
    progress.done()
    const line = describeErrorLine(err, where)
    if (args?.json) io.stdout.write(`${JSON.stringify({ error: line })}\n`)
    return reportError(io, err, line, args?.verbose ?? argv.includes('--verbose'))
  }
}
