import type { Inbox } from '@mail/inbox'
import { type SmtpTransportOptions, serverOf } from '@mail/send'
import { splitUser } from './network.js'

/** Where `send` delivers: a server given by URL, or the embedded inbox. */
export type Target =
  | {
      kind: 'smtp'
      url: string
      hostPort: string
      source: '--smtp' | 'SMTP_URL'
      /** With OAuth2: the mailbox the URL named (then removed from `url`). */
      user?: string
    }
  | { kind: 'inbox'; dir: string }

/**
 * `--smtp`, else `SMTP_URL`, else the embedded inbox in `inboxDir`. The URL is checked here by
 * `@mail/send` (which also names the port it connects to), so a bad one fails before any file is
 * read, naming the part at fault without echoing the password.
 */
export function chooseTarget(
  smtp: string | undefined,
  env: Record<string, string | undefined>,
  inboxDir: string,
  oauth2 = false,
  command = 'send',
): Target {
  const given = smtp ?? (env.SMTP_URL || undefined)
  if (given === undefined) return { kind: 'inbox', dir: inboxDir }
  // With OAuth2 the URL names the mailbox without a password (see network.ts).
  const { url, user } = oauth2 ? splitUser(given, command) : { url: given, user: undefined }
  const { host, port } = serverOf(url)
  const hostPort = `${host.includes(':') ? `[${host}]` : host}:${port}`
  const target: Target = { kind: 'smtp', url, hostPort, source: smtp ? '--smtp' : 'SMTP_URL' }
  if (user !== undefined) target.user = user
  return target
}

/**
 * How to reach an embedded inbox started in this process: plain SMTP on loopback, where there is
 * no certificate to check.
 */
export function inboxEndpoint(
  inbox: Inbox,
): Pick<SmtpTransportOptions, 'host' | 'port' | 'security'> {
  const url = new URL(inbox.smtpUrl)
  return { host: url.hostname, port: Number(url.port), security: 'none' }
}
