import { type Options, type Parsed, parse } from './flags.js'
import { UsageError } from './output.js'

const common = {
  help: { type: 'boolean', short: 'h' },
  verbose: { type: 'boolean', short: 'v' },
  json: { type: 'boolean' },
} as const satisfies Options

/** The message's flags: shared by `send` and `enqueue`. */
const messageOptions = {
  from: { type: 'string', short: 'f' },
  to: { type: 'string', short: 't', multiple: true },
  cc: { type: 'string', multiple: true },
  bcc: { type: 'string', multiple: true },
  'reply-to': { type: 'string', multiple: true },
  subject: { type: 'string', short: 's' },
  text: { type: 'string' },
  'text-file': { type: 'string' },
  'html-file': { type: 'string' },
  attach: { type: 'string', short: 'a', multiple: true },
  inline: { type: 'string', multiple: true },
  header: { type: 'string', multiple: true },
} as const satisfies Options

/** How to reach the SMTP server: shared by `send` and `worker`. */
const serverOptions = {
  smtp: { type: 'string' },
  ca: { type: 'string' },
  proxy: { type: 'string' },
  'oauth2-token-url': { type: 'string' },
  'oauth2-client-id': { type: 'string' },
  'oauth2-client-secret': { type: 'string' },
  'oauth2-refresh-token': { type: 'string' },
  'oauth2-scope': { type: 'string' },
} as const satisfies Options

const sendOptions = {
  ...common,
  ...messageOptions,
  eml: { type: 'string' },
  'dry-run': { type: 'boolean' },
  smtputf8: { type: 'boolean' },
  ...serverOptions,
} as const satisfies Options

/**
 * Flags that other mail tools (mutt, s-nail, swaks, Nodemailer's options) have and `send` spells
 * differently: the suggestion for each. Typos of the real flags are found by {@link closest}.
 */
const MESSAGE_HABITS: Record<string, string> = {
  body: '--text',
  message: '--text',
  file: '--attach',
}

/** Other tools' ways to name the SMTP server, and ours. */
const SERVER_HABITS: Record<string, string> = {
  server: '--smtp URL',
  url: '--smtp URL',
  host: '--smtp smtp://HOST:PORT',
  port: '--smtp smtp://HOST:PORT',
  user: '--smtp smtp://USER:PASSWORD@HOST',
  password: '--smtp smtp://USER:PASSWORD@HOST',
  tls: '--smtp smtps://HOST (TLS from the first byte; smtp:// requires STARTTLS)',
  ssl: '--smtp smtps://HOST (TLS from the first byte; smtp:// requires STARTTLS)',
  secure: '--smtp smtps://HOST (TLS from the first byte; smtp:// requires STARTTLS)',
  starttls: '--smtp smtp://HOST (STARTTLS is required by default)',
}

/** Where the queue is: shared by `enqueue` and `worker`. */
const queueOptions = {
  redis: { type: 'string' },
  queue: { type: 'string' },
} as const satisfies Options

/** Names other queue tools use for `--queue` and `--redis`. */
const QUEUE_HABITS: Record<string, string> = {
  name: '--queue NAME',
  'queue-name': '--queue NAME',
  connection: '--redis URL',
  'redis-url': '--redis URL',
}

const enqueueOptions = {
  ...common,
  ...messageOptions,
  ...queueOptions,
  'idempotency-key': { type: 'string' },
  delay: { type: 'string' },
  priority: { type: 'string' },
  status: { type: 'string' },
} as const satisfies Options

const workerOptions = {
  ...common,
  ...serverOptions,
  ...queueOptions,
  concurrency: { type: 'string', short: 'c' },
  rate: { type: 'string' },
  'domain-rate': { type: 'string' },
} as const satisfies Options

/** `enqueue` queues; the worker is what talks to the SMTP server. */
const ENQUEUE_HABITS: Record<string, string> = {
  ...MESSAGE_HABITS,
  ...QUEUE_HABITS,
  smtp: 'mailx worker --smtp URL (the worker delivers; enqueue only queues)',
  ...Object.fromEntries(Object.keys(SERVER_HABITS).map((k) => [k, 'mailx worker --smtp URL'])),
}

/** Other spellings of a rate limit, and the one `worker` takes. */
const WORKER_HABITS: Record<string, string> = {
  ...SERVER_HABITS,
  ...QUEUE_HABITS,
  'rate-limit': '--rate MESSAGES/DURATION (e.g. --rate 200/1s)',
  limit: '--rate MESSAGES/DURATION (e.g. --rate 200/1s)',
  'per-ms': '--rate MESSAGES/DURATION (e.g. --rate 200/1s)',
  'domain-rate-limit': '--domain-rate MESSAGES/DURATION (e.g. --domain-rate 20/1s)',
  workers: '--concurrency N (or start more worker processes)',
}

const inboxOptions = {
  ...common,
  'save-attachments': { type: 'string' },
} as const satisfies Options

const serveOptions = {
  ...common,
  'smtp-port': { type: 'string' },
  port: { type: 'string', short: 'p' },
  'http-port': { type: 'string' },
  host: { type: 'string' },
  'max-message-size': { type: 'string' },
  'max-connections': { type: 'string' },
} as const satisfies Options

/** The OAuth2 refresh-token grant's settings, from `--oauth2-*` options or `MAIL_OAUTH2_*`. */
export interface OAuth2Settings {
  tokenUrl: string
  clientId: string
  clientSecret?: string
  refreshToken: string
  scope?: string
}

/** The message a command line describes (`send`, `enqueue`). */
export interface MessageArgs {
  from?: string
  to: string[]
  cc: string[]
  bcc: string[]
  replyTo: string[]
  subject?: string
  text?: string
  textFile?: string
  htmlFile?: string
  attach: string[]
  inline: { path: string; cid: string }[]
  headers: { name: string; value: string }[]
}

/** How a command reaches the SMTP server (`send`, `worker`). */
export interface ServerArgs {
  smtp?: string
  ca?: string
  /** `--proxy`: socks5:// or http:// proxy URL. */
  proxy?: string
  /** `--oauth2-*`: the refresh_token grant's settings given as options. */
  oauth2: Partial<OAuth2Settings>
}

/** `send`'s parsed command line. */
export interface SendArgs extends MessageArgs, ServerArgs {
  help: boolean
  verbose: boolean
  json: boolean
  dryRun: boolean
  /** Allow UTF-8 addresses and headers (RFC 6531/6532); the server must offer SMTPUTF8. */
  smtputf8: boolean
  eml?: string
}

/** Where `enqueue` and `worker` find the queue. */
export interface QueueArgs {
  /** `--redis`, else `REDIS_URL`, else redis://127.0.0.1:6379. */
  redis: string
  /** `--queue`: the queue's name (default: the library's, 'mail'). */
  queue?: string
}

/** A number of messages per window of time, as `--rate 200/1s` gives it. */
export interface RateArg {
  messages: number
  perMs: number
}

/** `enqueue`'s parsed command line: a message to put on the queue, or `--status ID`. */
export interface EnqueueArgs extends MessageArgs, QueueArgs {
  help: boolean
  verbose: boolean
  json: boolean
  idempotencyKey?: string
  /** `--delay`, in milliseconds. */
  delayMs?: number
  priority?: number
  /** `--status ID`: print that job's status instead of enqueueing. */
  status?: string
}

/** `worker`'s parsed command line. */
export interface WorkerArgs extends ServerArgs, QueueArgs {
  help: boolean
  verbose: boolean
  json: boolean
  concurrency?: number
  rate?: RateArg
  domainRate?: RateArg
}

/** `inbox`'s parsed command line: list, or show one message. */
export interface InboxArgs {
  help: boolean
  verbose: boolean
  json: boolean
  action: 'list' | 'show'
  id?: string
  /** `show --save-attachments DIR`: where the message's attachments are written. */
  saveAttachments?: string
}

/** `serve`'s parsed command line. */
export interface ServeArgs {
  help: boolean
  verbose: boolean
  json: boolean
  /** The SMTP port (`--smtp-port`, or `--port`/`-p` as before). */
  port: number
  httpPort: number
  host: string
  maxMessageSize?: number
  maxConnections?: number
}

/** Keeps only the set optional strings (exactOptionalPropertyTypes forbids explicit undefined). */
function defined<T extends Record<string, unknown>>(o: T): T {
  for (const key of Object.keys(o)) if (o[key] === undefined) delete o[key]
  return o
}

/** `--inline PATH=CID`: the last '=' splits, since paths may contain '=' but Content-IDs rarely do. */
export function parseInline(spec: string, command = 'send'): { path: string; cid: string } {
  const at = spec.lastIndexOf('=')
  const path = spec.slice(0, at)
  const cid = spec.slice(at + 1).replace(/^<(.*)>$/, '$1')
  if (at <= 0 || cid === '') {
    throw new UsageError(`--inline expects PATH=CID, got ${JSON.stringify(spec)}`, command)
  }
  return { path, cid }
}

/** `--header 'Name: value'`: the name is checked by the builder, which names it on error. */
export function parseHeader(spec: string, command = 'send'): { name: string; value: string } {
  const colon = spec.indexOf(':')
  if (colon <= 0) {
    throw new UsageError(`--header expects 'Name: value', got ${JSON.stringify(spec)}`, command)
  }
  return { name: spec.slice(0, colon).trim(), value: spec.slice(colon + 1).replace(/^[ \t]+/, '') }
}

/** No positional arguments: the first one is a usage error. */
function noPositionals(positionals: string[], command: string): void {
  if (positionals.length > 0) {
    throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}`, command)
  }
}

/** The message part of `send`'s and `enqueue`'s command lines. */
function messageArgs(
  v: Parsed<typeof messageOptions & typeof common>['values'],
  command: string,
): MessageArgs {
  if (v.text !== undefined && v['text-file'] !== undefined) {
    throw new UsageError('use either --text or --text-file, not both', command)
  }
  return defined({
    from: v.from,
    to: v.to ?? [],
    cc: v.cc ?? [],
    bcc: v.bcc ?? [],
    replyTo: v['reply-to'] ?? [],
    subject: v.subject,
    text: v.text,
    textFile: v['text-file'],
    htmlFile: v['html-file'],
    attach: v.attach ?? [],
    inline: v.help ? [] : (v.inline ?? []).map((spec) => parseInline(spec, command)),
    headers: v.help ? [] : (v.header ?? []).map((spec) => parseHeader(spec, command)),
  }) as MessageArgs
}

/** The server part of `send`'s and `worker`'s command lines. */
function serverArgs(v: Parsed<typeof serverOptions>['values']): ServerArgs {
  return defined({
    smtp: v.smtp,
    ca: v.ca,
    proxy: v.proxy,
    oauth2: defined({
      tokenUrl: v['oauth2-token-url'],
      clientId: v['oauth2-client-id'],
      clientSecret: v['oauth2-client-secret'],
      refreshToken: v['oauth2-refresh-token'],
      scope: v['oauth2-scope'],
    }),
  }) as ServerArgs
}

export function parseSendArgs(args: string[]): SendArgs {
  const { values: v, positionals } = parse('send', args, sendOptions, {
    ...MESSAGE_HABITS,
    ...SERVER_HABITS,
  })
  noPositionals(positionals, 'send')
  return defined({
    help: v.help ?? false,
    verbose: v.verbose ?? false,
    json: v.json ?? false,
    dryRun: v['dry-run'] ?? false,
    smtputf8: v.smtputf8 ?? false,
    ...messageArgs(v, 'send'),
    eml: v.eml,
    ...serverArgs(v),
  }) as SendArgs
}

/** The default Redis server of `enqueue` and `worker`. */
export const DEFAULT_REDIS = 'redis://127.0.0.1:6379'

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }

/**
 * A duration with its unit (`500ms`, `30s`, `5m`, `2h`) in milliseconds; undefined when the text
 * is not one. A bare number is refused: seconds or milliseconds would be a guess.
 *
 * @example
 * parseDuration('1.5s') // 1500
 */
export function parseDuration(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(text.trim())
  if (m === null) return undefined
  const ms = Number(m[1]) * DURATION_UNITS[m[2]!]!
  return Number.isSafeInteger(Math.round(ms)) ? Math.round(ms) : undefined
}

/**
 * `--rate 200/1s`: MESSAGES/DURATION, where the duration's number may be left out (`200/s` is
 * `200/1s`, `10/m` ten a minute).
 *
 * @example
 * parseRate('--rate', '200/1s', 'worker') // { messages: 200, perMs: 1000 }
 */
export function parseRate(flag: string, text: string, command: string): RateArg {
  const m = /^\s*(\d+)\s*\/\s*(\d+(?:\.\d+)?)?\s*(ms|s|m|h)\s*$/.exec(text)
  const messages = m ? Number(m[1]) : 0
  const perMs = m ? parseDuration(`${m[2] ?? '1'}${m[3]}`) : undefined
  if (m === null || messages < 1 || !Number.isSafeInteger(messages) || !perMs) {
    throw new UsageError(
      `${flag} expects MESSAGES/DURATION such as 200/1s, 20/500ms or 1000/1m, got ${JSON.stringify(text)}`,
      command,
    )
  }
  return { messages, perMs }
}

/** `--redis`, else `REDIS_URL` (empty counts as unset), else the local default. */
function queueArgs(
  v: Parsed<typeof queueOptions>['values'],
  env: Record<string, string | undefined>,
  command: string,
): QueueArgs {
  const redis = v.redis ?? (env.REDIS_URL || DEFAULT_REDIS)
  if (!/^(rediss?|redis\+unix|unix):\/\//i.test(redis)) {
    const from = v.redis === undefined ? 'REDIS_URL' : '--redis'
    throw new UsageError(
      `${from} expects redis://[user:password@]host[:port][/db], rediss://... or redis+unix:///PATH, got ${JSON.stringify(redis.replace(/\/\/[^@/]*@/, '//***@'))}`,
      command,
    )
  }
  if (v.queue === '') throw new UsageError('--queue needs a name', command)
  return defined({ redis, queue: v.queue }) as QueueArgs
}

/** A whole number of at least `min`, for `flag`. */
function wholeNumber(flag: string, text: string, command: string, min = 1): number {
  const n = Number(text)
  if (!/^\d+$/.test(text.trim()) || n < min || !Number.isSafeInteger(n)) {
    throw new UsageError(
      `${flag} expects a whole number of at least ${min}, got ${JSON.stringify(text)}`,
      command,
    )
  }
  return n
}

export function parseEnqueueArgs(
  args: string[],
  env: Record<string, string | undefined>,
): EnqueueArgs {
  const { values: v, positionals } = parse('enqueue', args, enqueueOptions, ENQUEUE_HABITS)
  noPositionals(positionals, 'enqueue')
  const message = messageArgs(v, 'enqueue')
  if (v.status !== undefined) {
    const given = Object.keys(v).filter((k) => k in messageOptions || k in ENQUEUE_ONLY)
    if (given.length > 0) {
      throw new UsageError(`--status ID goes alone, without --${given[0]}`, 'enqueue')
    }
  }
  const delayMs = v.delay === undefined ? undefined : parseDuration(v.delay)
  if (v.delay !== undefined && delayMs === undefined) {
    throw new UsageError(
      `--delay expects a duration such as 30s, 5m or 500ms, got ${JSON.stringify(v.delay)}`,
      'enqueue',
    )
  }
  return defined({
    help: v.help ?? false,
    verbose: v.verbose ?? false,
    json: v.json ?? false,
    ...message,
    ...queueArgs(v, env, 'enqueue'),
    idempotencyKey: v['idempotency-key'],
    delayMs,
    priority:
      v.priority === undefined ? undefined : wholeNumber('--priority', v.priority, 'enqueue'),
    status: v.status,
  }) as EnqueueArgs
}

/** `enqueue`'s options that describe a new job, which `--status` does not take. */
const ENQUEUE_ONLY = { 'idempotency-key': 1, delay: 1, priority: 1 }

export function parseWorkerArgs(
  args: string[],
  env: Record<string, string | undefined>,
): WorkerArgs {
  const { values: v, positionals } = parse('worker', args, workerOptions, WORKER_HABITS)
  noPositionals(positionals, 'worker')
  const rate = (flag: string, text: string | undefined) =>
    text === undefined ? undefined : parseRate(flag, text, 'worker')
  return defined({
    help: v.help ?? false,
    verbose: v.verbose ?? false,
    json: v.json ?? false,
    ...serverArgs(v),
    ...queueArgs(v, env, 'worker'),
    concurrency:
      v.concurrency === undefined
        ? undefined
        : wholeNumber('--concurrency', v.concurrency, 'worker'),
    rate: rate('--rate', v.rate),
    domainRate: rate('--domain-rate', v['domain-rate']),
  }) as WorkerArgs
}

export function parseInboxArgs(args: string[]): InboxArgs {
  const { values: v, positionals } = parse('inbox', args, inboxOptions)
  const [action = 'list', id, extra] = positionals
  const base = { help: v.help ?? false, verbose: v.verbose ?? false, json: v.json ?? false }
  if (base.help) return { ...base, action: 'list' }
  const save = v['save-attachments']
  if (save !== undefined && action !== 'show') {
    throw new UsageError('--save-attachments goes with inbox show ID', 'inbox')
  }
  if (action === 'list' && id === undefined) return { ...base, action: 'list' }
  if (action === 'show' && id !== undefined && extra === undefined) {
    return defined({ ...base, action: 'show', id, saveAttachments: save }) as InboxArgs
  }
  if (action === 'show') throw new UsageError('inbox show expects one message ID', 'inbox')
  throw new UsageError(`unknown inbox action ${JSON.stringify(action)}`, 'inbox')
}

function parsePort(flag: string, text: string): number {
  const port = Number(text)
  if (!/^\d+$/.test(text) || port > 65535) {
    throw new UsageError(`${flag} expects a number 0-65535, got ${JSON.stringify(text)}`, 'serve')
  }
  return port
}

const SIZE_UNITS: Record<string, number> = {
  '': 1,
  B: 1,
  K: 1024,
  KB: 1024,
  M: 1024 ** 2,
  MB: 1024 ** 2,
  G: 1024 ** 3,
  GB: 1024 ** 3,
}

/**
 * `--max-message-size`: octets, or with a unit as `mailx` prints sizes (`25MB`, `512KB`; 1024-based).
 *
 * @example
 * parseSize('25MB') // 26214400
 */
export function parseSize(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([KMG]?B?)$/i.exec(text.trim())
  const unit = m ? SIZE_UNITS[m[2]!.toUpperCase()] : undefined
  const size = m && unit ? Math.floor(Number(m[1]) * unit) : Number.NaN
  if (!(size >= 1) || !Number.isSafeInteger(size)) {
    throw new UsageError(
      `--max-message-size expects a size such as 25MB or 1048576, got ${JSON.stringify(text)}`,
      'serve',
    )
  }
  return size
}

export function parseServeArgs(args: string[]): ServeArgs {
  const { values: v, positionals } = parse('serve', args, serveOptions)
  if (positionals.length > 0) {
    throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}`, 'serve')
  }
  if (v['smtp-port'] !== undefined && v.port !== undefined) {
    throw new UsageError('use either --smtp-port or --port, not both', 'serve')
  }
  const smtpFlag = v.port === undefined ? '--smtp-port' : '--port'
  const size = v['max-message-size']
  const connections = v['max-connections']
  return defined({
    help: v.help ?? false,
    verbose: v.verbose ?? false,
    json: v.json ?? false,
    // @mail/inbox's default ports, spelt out so that reading arguments loads no server (a test
    // keeps the two equal).
    port: parsePort(smtpFlag, v['smtp-port'] ?? v.port ?? '2525'),
    httpPort: parsePort('--http-port', v['http-port'] ?? '8025'),
    host: v.host ?? '127.0.0.1',
    maxMessageSize: size === undefined ? undefined : parseSize(size),
    maxConnections:
      connections === undefined
        ? undefined
        : wholeNumber('--max-connections', connections, 'serve'),
  }) as ServeArgs
}
