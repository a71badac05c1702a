import { classifyFailure } from '@mail/send'
import { CliError, findErrno } from './output.js'

/** The fields of `SmtpError`, `MimeError` and `SendError` the CLI reads (seams.md). */
interface KnownErrorFields {
  name?: string
  message: string
  field?: string
  kind?: string
  code?: number | string
  enhancedCode?: string
  command?: string
  response?: string
  stage?: string
  /** SmtpError: the proxy (`host:port`) that failed. */
  proxy?: string
  rejected?: { address: string; code: number; enhancedCode?: string; message: string }[]
}

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

/** One reply as people read it: "550 5.1.1 no such user". */
export function replyText(r: { code: number; enhancedCode?: string; message: string }): string {
  return [r.code, r.enhancedCode, r.message].filter(Boolean).join(' ')
}

/** The option a field came from (`to[1]` -> `--to`), else the field itself. */
function fieldLabel(field: string): string {
  const root = /^[A-Za-z]+/.exec(field)?.[0] ?? field
  return OPTION_OF[root] ?? field
}

/**
 * The one line that explains why a command failed, naming the cause the way a person would look
 * for it: the missing file, the bad address's option, the refused host:port, the 535 of a failed
 * login. `hostPort` is where the CLI was connecting, for network failures.
 *
 * @example
 * describeError(err, '127.0.0.1:2525') // 'connection refused: 127.0.0.1:2525'
 */
export function describeError(err: unknown, hostPort?: string): string {
  if (err instanceof CliError) return err.message
  if (!(err instanceof Error)) return String(err)
  const e = err as Error & KnownErrorFields
  const where = hostPort ?? 'the server'

  if (e.name === 'MimeError' && typeof e.field === 'string') {
    // MimeError's message starts with the field path ("to[1]: ..."), so only the option is added.
    const kind = ADDRESS_FIELD.test(e.field) ? 'bad address in' : 'invalid'
    return `${kind} ${fieldLabel(e.field)}: ${e.message}`
  }
  // What a failure means is @mail/send's to say; the wording here follows it.
  if (classifyFailure(err) === 'delivery-unknown') {
    const detail = e.name === 'SendError' ? `: ${e.message}` : ''
    return `delivery unknown: the connection to ${where} failed after the message was sent (it may have been delivered)${detail}`
  }
  if (e.name === 'SendError') {
    if (e.kind === 'envelope')
      return `bad address in ${fieldLabel(e.field ?? 'envelope')}: ${e.message}`
    if (e.kind === 'transport') return `bad SMTP transport: ${e.message}`
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
      return `connection refused: ${where}`
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `host not found: ${where}`
    case 'ETIMEDOUT':
      return `connection timed out: ${where}`
    case 'ECONNRESET':
    case 'EPIPE':
      return `connection reset by ${where}: ${e.message}`
  }
  if (/ECONNREFUSED/.test(e.message)) return `connection refused: ${where}`

  if (e.name === 'SmtpError') {
    const code = typeof e.code === 'number' ? e.code : undefined
    if (e.stage === 'auth' || code === 535 || code === 534 || e.command === 'AUTH') {
      const reply = code
        ? replyText({ code, enhancedCode: e.enhancedCode ?? '', message: e.response ?? '' })
        : e.message
      return `auth failed: ${reply}`
    }
    if (e.rejected && e.rejected.length > 0) {
      const list = e.rejected.map((r) => `${r.address} (${replyText(r)})`).join(', ')
      return `all recipients rejected: ${list}`
    }
    if (e.stage === 'tls' || e.stage === 'starttls') {
      return e.message.includes(where)
        ? `TLS failed: ${e.message}`
        : `TLS failed with ${where}: ${e.message}`
    }
    if (e.stage === 'input') return `bad address in the envelope: ${e.message}`
    if (code !== undefined) {
      const reply = replyText({
        code,
        enhancedCode: e.enhancedCode ?? '',
        message: e.response ?? '',
      })
      return `${where} refused ${e.command ?? e.stage ?? 'the message'}: ${reply}`
    }
  }
  return e.message.split('\n')[0] ?? e.name
}

/** {@link describeError} folded onto one line: some causes (OpenSSL's) span several. */
export function describeErrorLine(err: unknown, hostPort?: string): string {
  return describeError(err, hostPort)
    .replace(/\s*[\r\n]+\s*/g, ' ')
    .trim()
}
