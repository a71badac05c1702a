import { serverOf } from '@mail/send'

/** Where `send` delivers: a server given by URL, or the embedded inbox. */
export type Target =
  | { kind: 'smtp'; url: string; hostPort: string; source: '--smtp' | 'SMTP_URL' }
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
): Target {
  const url = smtp ?? (env.SMTP_URL || undefined)
  if (url === undefined) return { kind: 'inbox', dir: inboxDir }
  const { host, port } = serverOf(url)
  const hostPort = `${host.includes(':') ? `[${host}]` : host}:${port}`
  return { kind: 'smtp', url, hostPort, source: smtp ? '--smtp' : 'SMTP_URL' }
}
