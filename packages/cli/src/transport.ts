import type { SmtpConnectOptions } from '@mail/smtp'
import { CliError } from './output.js'

/** Where `send` delivers: a server given by URL, or the embedded inbox. */
export type Target =
  | { kind: 'smtp'; url: string; hostPort: string; source: '--smtp' | 'SMTP_URL' }
  | { kind: 'inbox'; dir: string }

type Security = NonNullable<SmtpConnectOptions['security']>
const SECURITY: readonly Security[] = ['implicit', 'starttls', 'starttls-opportunistic', 'none']

/** `--smtp`, else `SMTP_URL`, else the embedded inbox in `inboxDir`. */
export function chooseTarget(
  smtp: string | undefined,
  env: Record<string, string | undefined>,
  inboxDir: string,
): Target {
  const url = smtp ?? (env.SMTP_URL || undefined)
  if (url === undefined) return { kind: 'inbox', dir: inboxDir }
  const { host, port } = connectOptionsFromUrl(url)
  return { kind: 'smtp', url, hostPort: `${host}:${port}`, source: smtp ? '--smtp' : 'SMTP_URL' }
}

/**
 * Connect options from an `smtp://` or `smtps://` URL, for sending a ready `.eml` straight
 * through `@mail/smtp` (`@mail/send` takes the URL itself for built messages). User and password
 * are percent-decoded; `?security=` and `?name=` are honoured. Errors never echo the password.
 *
 * @example
 * connectOptionsFromUrl('smtp://u:p%40ss@127.0.0.1:2525?security=none')
 * // { host: '127.0.0.1', port: 2525, security: 'none', auth: { user: 'u', pass: 'p@ss' } }
 */
export function connectOptionsFromUrl(
  url: string,
): SmtpConnectOptions & { host: string; port: number } {
  let u: URL
  try {
    u = new URL(url)
  } catch {
    throw new CliError('bad SMTP URL: expected smtp://[user:pass@]host[:port] or smtps://...')
  }
  if (u.protocol !== 'smtp:' && u.protocol !== 'smtps:') {
    throw new CliError(`bad SMTP URL: unsupported scheme ${u.protocol} (use smtp: or smtps:)`)
  }
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1')
  if (host === '') throw new CliError('bad SMTP URL: no host')
  const implicit = u.protocol === 'smtps:'
  const security = u.searchParams.get('security') ?? (implicit ? 'implicit' : undefined)
  if (security !== undefined && !SECURITY.includes(security as Security)) {
    throw new CliError(`bad SMTP URL: security must be one of ${SECURITY.join(', ')}`)
  }
  const port = u.port ? Number(u.port) : security === 'implicit' ? 465 : 587
  const options: SmtpConnectOptions & { host: string; port: number } = { host, port }
  if (security !== undefined) options.security = security as Security
  const name = u.searchParams.get('name')
  if (name) options.name = name
  if (u.username) {
    options.auth = { user: decodeURIComponent(u.username), pass: decodeURIComponent(u.password) }
  }
  return options
}
