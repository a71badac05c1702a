import { isAbsolute, resolve } from 'node:path'

/**
 * The inbox folder: `MAIL_INBOX` (relative to `cwd` when relative), else `.mail/inbox` under `cwd`.
 *
 * @example
 * inboxDir(process.env, process.cwd()) // '/home/me/project/.mail/inbox'
 */
export function inboxDir(env: Record<string, string | undefined>, cwd: string): string {
  const fromEnv = env.MAIL_INBOX
  if (fromEnv) return isAbsolute(fromEnv) ? fromEnv : resolve(cwd, fromEnv)
  return resolve(cwd, '.mail', 'inbox')
}
