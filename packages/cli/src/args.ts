import { type Options, parse } from './flags.js'
import { UsageError } from './output.js'

const common = {
  help: { type: 'boolean', short: 'h' },
  verbose: { type: 'boolean', short: 'v' },
  json: { type: 'boolean' },
} as const satisfies Options

const sendOptions = {
  ...common,
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
  eml: { type: 'string' },
  'dry-run': { type: 'boolean' },
  smtputf8: { type: 'boolean' },
  smtp: { type: 'string' },
  ca: { type: 'string' },
  proxy: { type: 'string' },
  'oauth2-token-url': { type: 'string' },
  'oauth2-client-id': { type: 'string' },
  'oauth2-client-secret': { type: 'string' },
  'oauth2-refresh-token': { type: 'string' },
  'oauth2-scope': { type: 'string' },
} as const satisfies Options

/**
 * Flags that other mail tools (mutt, s-nail, swaks, Nodemailer's options) have and `send` spells
 * differently: the suggestion for each. Typos of the real flags are found by {@link closest}.
 */
const SEND_HABITS: Record<string, string> = {
  body: '--text',
  message: '--text',
  file: '--attach',
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

/** `send`'s parsed command line. */
/** The OAuth2 refresh-token grant's settings, from `--oauth2-*` options or `MAIL_OAUTH2_*`. */
export interface OAuth2Settings {
  tokenUrl: string
  clientId: string
  clientSecret?: string
  refreshToken: string
  scope?: string
}

export interface SendArgs {
  help: boolean
  verbose: boolean
  json: boolean
  dryRun: boolean
  /** Allow UTF-8 addresses and headers (RFC 6531/6532); the server must offer SMTPUTF8. */
  smtputf8: boolean
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
  eml?: string
  smtp?: string
  ca?: string
  /** `--proxy`: socks5:// or http:// proxy URL. */
  proxy?: string
  /** `--oauth2-*`: the refresh_token grant's settings given as options. */
  oauth2: Partial<OAuth2Settings>
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
export function parseInline(spec: string): { path: string; cid: string } {
  const at = spec.lastIndexOf('=')
  const path = spec.slice(0, at)
  const cid = spec.slice(at + 1).replace(/^<(.*)>$/, '$1')
  if (at <= 0 || cid === '') {
    throw new UsageError(`--inline expects PATH=CID, got ${JSON.stringify(spec)}`, 'send')
  }
  return { path, cid }
}

/** `--header 'Name: value'`: the name is checked by the builder, which names it on error. */
export function parseHeader(spec: string): { name: string; value: string } {
  const colon = spec.indexOf(':')
  if (colon <= 0) {
    throw new UsageError(`--header expects 'Name: value', got ${JSON.stringify(spec)}`, 'send')
  }
  return { name: spec.slice(0, colon).trim(), value: spec.slice(colon + 1).replace(/^[ \t]+/, '') }
}

export function parseSendArgs(args: string[]): SendArgs {
  const { values: v, positionals } = parse('send', args, sendOptions, SEND_HABITS)
  if (positionals.length > 0) {
    throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}`, 'send')
  }
  if (v.text !== undefined && v['text-file'] !== undefined) {
    throw new UsageError('use either --text or --text-file, not both', 'send')
  }
  return defined({
    help: v.help ?? false,
    verbose: v.verbose ?? false,
    json: v.json ?? false,
    dryRun: v['dry-run'] ?? false,
    smtputf8: v.smtputf8 ?? false,
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
    inline: v.help ? [] : (v.inline ?? []).map(parseInline),
    headers: v.help ? [] : (v.header ?? []).map(parseHeader),
    eml: v.eml,
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
  }) as SendArgs
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

function parseCount(flag: string, text: string): number {
  const n = Number(text)
  if (!/^\d+$/.test(text) || n < 1 || !Number.isSafeInteger(n)) {
    throw new UsageError(
      `${flag} expects a whole number of at least 1, got ${JSON.stringify(text)}`,
      'serve',
    )
  }
  return n
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
      connections === undefined ? undefined : parseCount('--max-connections', connections),
  }) as ServeArgs
}
