import { URL_OPTIONS } from '@mail/send'
import { closest } from '../suggest.js'
import { type ErrorContext, type KnownError, urlLabel } from './context.js'

// The CLI builds its transport options itself: what a person can get wrong is the URL (--smtp or
// SMTP_URL). Errors about it name its parts as they are written there, never the option names
// of @mail/send or @mail/smtp.

/** How the parts of an SMTP URL are named to the person who wrote it. */
const URL_PARTS: Record<string, string> = {
  url: '',
  user: 'the user name',
  password: 'the password',
  host: 'the host',
  port: 'the port',
  'auth.user': 'the user name',
  'auth.pass': 'the password',
}

const SMTPS = 'for TLS from the first byte use smtps://; smtp:// requires STARTTLS'
const USERINFO = 'put the user and password before the host: smtp://USER:PASSWORD@HOST'

/** Query options of other mailers' URLs (Nodemailer's above all), and what to write instead. */
const QUERY_HABITS: Record<string, string> = {
  secure: SMTPS,
  tls: SMTPS,
  ssl: SMTPS,
  requireTLS: 'smtp:// requires STARTTLS already (?security=starttls)',
  starttls: 'smtp:// requires STARTTLS already (?security=starttls)',
  ignoreTLS: 'use ?security=none',
  opportunisticTLS: 'use ?security=starttls-opportunistic',
  user: USERINFO,
  pass: USERINFO,
  password: USERINFO,
  ca: 'pass the CA file with --ca FILE',
  connectionTimeout: 'use ?connectTimeout=MS',
  socketTimeout: 'use ?commandTimeout=MS and ?dataTimeout=MS',
  maxMessages: 'use ?maxMessagesPerConnection=N',
  rateDelta: 'use ?rateLimit=MESSAGES/MS',
}

/** `Invalid SMTP transport: port must be ...` without its prefix and field: `must be ...`. */
function problemOf(message: string, prefix: string): string {
  return message.startsWith(prefix) ? message.slice(prefix.length) : message
}

/**
 * A `SendError` about the transport, which for the CLI is always its URL: the part at fault
 * named as written there, an unknown query option answered with the one meant.
 *
 * @example
 * transportProblem(parseError, { url: '--smtp' }) // 'bad --smtp URL: the port must be ...'
 */
export function transportProblem(e: KnownError, context: ErrorContext): string {
  const field = e.field ?? ''
  const problem = problemOf(e.message, `Invalid SMTP transport: ${field} `)
  const option = /^option (.+)$/.exec(field)?.[1]
  if (option !== undefined && !URL_OPTIONS.includes(option)) {
    const meant = closest(option, URL_OPTIONS)
    const advice =
      QUERY_HABITS[option] ??
      (meant === undefined ? `known: ${URL_OPTIONS.join(', ')}` : `did you mean ?${meant}=?`)
    return `bad ${urlLabel(context)}: unknown query option ?${option}=: ${advice}`
  }
  // Options the CLI sets itself (from its flags) are not the URL's: named as they are.
  if (option === undefined && URL_PARTS[field] === undefined) {
    return `bad SMTP transport: ${field} ${problem}`
  }
  const label = option === undefined ? URL_PARTS[field] : `?${option}=`
  return `bad ${urlLabel(context)}: ${label ? `${label} ` : ''}${problem}`
}

/**
 * An `SmtpError` about its input (stage `'input'`): the envelope the CLI derived, or credentials
 * that the URL percent-decoded into what no SASL mechanism may carry (a NUL), named as the URL
 * writes them. The other connect options from the URL are checked when it is read.
 */
export function inputProblem(e: KnownError, context: ErrorContext): string {
  const field = e.field ?? ''
  const part = URL_PARTS[field]
  if (part) return `bad ${urlLabel(context)}: ${part} ${problemOf(e.message, `${field} `)}`
  return `bad address in the envelope: ${e.message}`
}
