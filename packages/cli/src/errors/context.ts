/**
 * Where a failing command was sending, so that its error can name the server and the flag or
 * variable the SMTP URL came from.
 *
 * @example
 * describeError(err, { hostPort: 'smtp.example.com:587', url: '--smtp' })
 */
export interface ErrorContext {
  /** `host:port` the command connects to. */
  hostPort?: string
  /** Where the SMTP URL was given: `'--smtp'` or `'SMTP_URL'`. */
  url?: string
}

/** The server as errors name it. */
export function serverName(context: ErrorContext): string {
  return context.hostPort ?? 'the server'
}

/** The port of `host:port` or `[::1]:port`. */
export function portOf(context: ErrorContext): number | undefined {
  const m = context.hostPort === undefined ? null : /:(\d+)$/.exec(context.hostPort)
  return m ? Number(m[1]) : undefined
}

/** The SMTP URL as errors name it: by the flag or the variable it came from. */
export function urlLabel(context: ErrorContext): string {
  return context.url === '--smtp' ? '--smtp URL' : (context.url ?? 'SMTP URL')
}

/** The fields of `SmtpError`, `MimeError` and `SendError` the CLI reads (seams.md). */
export interface KnownErrorFields {
  name?: string
  message: string
  field?: string
  kind?: string
  code?: number | string
  enhancedCode?: string
  command?: string
  response?: string
  stage?: string
  transient?: boolean
  hint?: string
  size?: { message: number; limit: number }
  /** SmtpError: the proxy (`host:port`) that failed. */
  proxy?: string
  rejected?: { address: string; code: number; enhancedCode?: string; message: string }[]
}

export type KnownError = Error & KnownErrorFields
