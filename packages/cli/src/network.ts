// How `send` reaches a real server beyond its URL: a proxy, and OAuth2 instead of a password.
import type { SmtpTransportOptions } from '@mail/send'
import { refreshTokenProvider, type TokenProvider } from '@mail/send/oauth2'
import type { OAuth2Settings, ServerArgs } from './args.js'
import { UsageError } from './output.js'

/** The refresh_token grant's settings, from `--oauth2-*` options or `MAIL_OAUTH2_*` variables. */
// Each setting: its option (wins) and its environment variable. Secrets are better given in the
// environment: other users of the machine can read command lines.
const SETTINGS = {
  tokenUrl: ['--oauth2-token-url', 'MAIL_OAUTH2_TOKEN_URL'],
  clientId: ['--oauth2-client-id', 'MAIL_OAUTH2_CLIENT_ID'],
  clientSecret: ['--oauth2-client-secret', 'MAIL_OAUTH2_CLIENT_SECRET'],
  refreshToken: ['--oauth2-refresh-token', 'MAIL_OAUTH2_REFRESH_TOKEN'],
  scope: ['--oauth2-scope', 'MAIL_OAUTH2_SCOPE'],
} as const satisfies Record<keyof OAuth2Settings, readonly [string, string]>

const REQUIRED = ['tokenUrl', 'clientId', 'refreshToken'] as const

/**
 * The OAuth2 settings when any is given, else undefined. Options win over the environment; an
 * empty variable counts as unset. A missing required setting is a usage error naming both ways
 * to give it.
 *
 * @example
 * oauth2Settings(args, { MAIL_OAUTH2_TOKEN_URL: 'https://oauth2.googleapis.com/token', ... })
 */
export function oauth2Settings(
  args: ServerArgs,
  env: Record<string, string | undefined>,
  command = 'send',
): OAuth2Settings | undefined {
  const found: Partial<OAuth2Settings> = {}
  for (const [key, [, variable]] of Object.entries(SETTINGS) as [
    keyof OAuth2Settings,
    readonly [string, string],
  ][]) {
    const value = args.oauth2[key] ?? (env[variable] || undefined)
    if (value !== undefined) found[key] = value
  }
  if (Object.keys(found).length === 0) return undefined
  for (const key of REQUIRED) {
    if (found[key] === undefined) {
      const [option, variable] = SETTINGS[key]
      throw new UsageError(`OAuth2 needs ${option} (or ${variable})`, command)
    }
  }
  return found as OAuth2Settings
}

/** Whether any OAuth2 setting was given as an option (not through the environment). */
export function oauth2Options(args: ServerArgs): boolean {
  return Object.values(args.oauth2).some((v) => v !== undefined)
}

/**
 * With OAuth2 the mailbox comes from the URL, alone: `smtp://me%40gmail.com@smtp.gmail.com:587`.
 * Returns the user and the URL without it (which `@mail/send` then reads as usual).
 */
export function splitUser(url: string, command = 'send'): { url: string; user: string } {
  const m = /^([A-Za-z][A-Za-z0-9+.-]*:\/\/)([^/?#@]*)@/.exec(url)
  if (m === null) {
    throw new UsageError(
      'OAuth2 needs the mailbox in the URL, without a password: smtp://me%40example.com@host:587',
      command,
    )
  }
  if (m[2]!.includes(':')) {
    throw new UsageError('with OAuth2, give the user alone in the URL (no password)', command)
  }
  let user: string
  try {
    user = decodeURIComponent(m[2]!)
  } catch {
    throw new UsageError('the user in the URL is not valid percent-encoding', command)
  }
  if (user === '') throw new UsageError('the user in the URL is empty', command)
  return { url: m[1]! + url.slice(m[0].length), user }
}

/**
 * The SMTP server given by `--smtp`, else `SMTP_URL`; undefined means the embedded inbox, which
 * is in this process: a proxy or OAuth2 given as options for it is a usage error.
 */
export function givenServer(
  args: ServerArgs,
  env: Record<string, string | undefined>,
  command: string,
): string | undefined {
  const server = args.smtp ?? (env.SMTP_URL || undefined)
  if (server === undefined && (args.proxy !== undefined || oauth2Options(args))) {
    throw new UsageError('--proxy and --oauth2-* need --smtp or SMTP_URL', command)
  }
  return server
}

/** `--proxy`, else `SMTP_PROXY` (empty counts as unset). */
export function proxyOf(
  args: ServerArgs,
  env: Record<string, string | undefined>,
): string | undefined {
  return args.proxy ?? (env.SMTP_PROXY || undefined)
}

/** Connect options for the proxy and the OAuth2 login, to add to the transport's. */
export function networkOptions(
  proxy: string | undefined,
  oauth2: OAuth2Settings | undefined,
  user: string | undefined,
  command = 'send',
): Pick<SmtpTransportOptions, 'proxy' | 'auth'> {
  const options: Pick<SmtpTransportOptions, 'proxy' | 'auth'> = {}
  if (proxy !== undefined) options.proxy = proxy
  if (oauth2 !== undefined && user !== undefined) {
    const { scope, clientSecret, ...grant } = oauth2
    let accessToken: TokenProvider
    try {
      accessToken = refreshTokenProvider({
        ...grant,
        ...(clientSecret === undefined ? {} : { clientSecret }),
        ...(scope === undefined ? {} : { scope: scope.split(/\s+/).filter(Boolean) }),
      })
    } catch (e) {
      // The provider names the setting at fault (never its value); say which option that is.
      const setting = /^(\w+)/.exec((e as Error).message)?.[1] as keyof OAuth2Settings | undefined
      const named =
        setting !== undefined && setting in SETTINGS ? SETTINGS[setting].join(' / ') : ''
      throw new UsageError(
        `bad OAuth2 setting${named ? ` ${named}` : ''}: ${(e as Error).message}`,
        command,
      )
    }
    options.auth = { user, accessToken }
  }
  return options
}
