import { parseSmtpUrl, type SmtpTransportOptions } from '@mail/send'
import type { SmtpConnectOptions } from '@mail/smtp'

/** Where `send` delivers: a server given by URL, or the embedded inbox. */
export type Target =
  | { kind: 'smtp'; url: string; hostPort: string; source: '--smtp' | 'SMTP_URL' }
  | { kind: 'inbox'; dir: string }

/** The port a client connects to when the URL gives none (as @mail/smtp chooses it). */
function defaultPort(options: SmtpTransportOptions): number {
  return options.security === 'implicit' ? 465 : 587
}

/**
 * `--smtp`, else `SMTP_URL`, else the embedded inbox in `inboxDir`. The URL is parsed here with
 * `@mail/send`'s own parser, so a bad one fails before any file is read, naming the part at
 * fault without echoing the password.
 */
export function chooseTarget(
  smtp: string | undefined,
  env: Record<string, string | undefined>,
  inboxDir: string,
): Target {
  const url = smtp ?? (env.SMTP_URL || undefined)
  if (url === undefined) return { kind: 'inbox', dir: inboxDir }
  const options = parseSmtpUrl(url)
  const host = options.host ?? ''
  const hostPort = `${host.includes(':') ? `[${host}]` : host}:${options.port ?? defaultPort(options)}`
  return { kind: 'smtp', url, hostPort, source: smtp ? '--smtp' : 'SMTP_URL' }
}

/**
 * Connect options for `@mail/smtp` from an `smtp://` or `smtps://` URL, used to send a ready
 * `.eml` as it is (built messages go through `@mail/send` with the URL itself). Transport-only
 * settings of the URL (pool, retry, builder options) do not apply to one raw message.
 *
 * @example
 * connectOptionsFromUrl('smtp://u:p%40ss@127.0.0.1:2525?security=none')
 * // { host: '127.0.0.1', port: 2525, security: 'none', auth: { user: 'u', pass: 'p@ss' } }
 */
export function connectOptionsFromUrl(url: string): SmtpConnectOptions {
  const {
    pool: _pool,
    retry: _retry,
    dkim: _dkim,
    build: _build,
    url: _url,
    host,
    ...rest
  } = parseSmtpUrl(url)
  return { ...rest, host: host ?? '' }
}
