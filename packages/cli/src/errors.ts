import { classifyFailure } from '@mail/send'
import { type ErrorContext, type KnownError, serverName } from './errors/context.js'
import { smtpProblem } from './errors/smtp.js'
import { transportProblem } from './errors/url.js'
import { CliError, findErrno } from './output.js'

export type { ErrorContext } from './errors/context.js'
export { replyText } from './errors/smtp.js'

/** The command-line option a message field came from, for "bad address in --to". */
const OPTION_OF: Record<string, string> = {
  from: '--from',
  sender: '--from',
  to: '--to',
  cc: '--cc',
  bcc: '--bcc',
  replyTo: '--reply-to',
  subject: '--subject',
  headers: '--header',
  attachments: '--attach',
  envelope: 'the envelope',
}

const ADDRESS_FIELD = /^(from|sender|to|cc|bcc|replyTo|envelope)\b/

/**
 * The builder's advice in library terms, and the same advice in the CLI's: the builder is also a
 * library API, so its messages name its options.
 */
const MIME_ADVICE: [library: string, cli: string][] = [
  ['(set the smtputf8 option)', '(use --smtputf8)'],
]

/** The option a field came from (`to[1]` -> `--to`), else the field itself. */
function fieldLabel(field: string): string {
  const root = /^[A-Za-z]+/.exec(field)?.[0] ?? field
  return OPTION_OF[root] ?? field
}

/**
 * The one line that explains why a command failed, naming the cause the way a person would look
 * for it: the missing file, the bad address's option, the refused host:port, the 535 of a failed
 * login, and the flag or URL part that fixes it. `where` is where the CLI was connecting (its
 * `host:port`, or an {@link ErrorContext}), for network failures.
 *
 * @example
 * describeError(err, '127.0.0.1:2525') // 'connection refused: 127.0.0.1:2525'
 */
export function describeError(err: unknown, where?: string | ErrorContext): string {
  if (err instanceof CliError) return err.message
  if (!(err instanceof Error)) return String(err)
  const e = err as KnownError
  const context = typeof where === 'string' ? { hostPort: where } : (where ?? {})
  const server = serverName(context)

  if (e.name === 'MimeError' && typeof e.field === 'string') {
    // MimeError's message starts with the field path ("to[1]: ..."), so only the option is added.
    const kind = ADDRESS_FIELD.test(e.field) ? 'bad address in' : 'invalid'
    const message = MIME_ADVICE.reduce((m, [lib, cli]) => m.replace(lib, cli), e.message)
    return `${kind} ${fieldLabel(e.field)}: ${message}`
  }
  // What a failure means is @mail/send's to say; the wording here follows it.
  if (classifyFailure(err) === 'delivery-unknown') {
    const detail = e.name === 'SendError' ? `: ${e.message}` : ''
    return `delivery unknown: the connection to ${server} failed after the message was sent (it may have been delivered)${detail}`
  }
  if (e.name === 'SendError') {
    if (e.kind === 'envelope')
      return `bad address in ${fieldLabel(e.field ?? 'envelope')}: ${e.message}`
    if (e.kind === 'transport') return transportProblem(e, context)
    // A ready message for sendRaw is what --eml reads.
    if (e.kind === 'message' && e.field === 'raw') {
      return `bad --eml message: ${e.message.replace(/^raw /, 'it ')}`
    }
  }
  if (e.name === 'SmtpError') {
    // The proxy's own failure names it: "connection refused" would blame the SMTP server.
    if (typeof e.proxy === 'string') return `proxy failed: ${e.message}`
    if (e.stage === 'input' && e.field === 'proxy') {
      return `bad --proxy (or SMTP_PROXY): ${e.message}`
    }
  }

  switch (findErrno(err)) {
    case 'ECONNREFUSED':
      return `connection refused: ${server}`
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `host not found: ${server}`
    case 'ETIMEDOUT':
      return `connection timed out: ${server}`
    case 'ECONNRESET':
    case 'EPIPE':
      return `connection reset by ${server}: ${e.message}`
  }
  if (/ECONNREFUSED/.test(e.message)) return `connection refused: ${server}`
  if (e.name === 'SmtpError') return smtpProblem(e, context)
  return e.message.split('\n')[0] ?? e.name
}

/** {@link describeError} folded onto one line: some causes (OpenSSL's) span several. */
export function describeErrorLine(err: unknown, where?: string | ErrorContext): string {
  return describeError(err, where)
    .replace(/\s*[\r\n]+\s*/g, ' ')
    .trim()
}
