import { formatBytes } from '../output.js'
import { type ErrorContext, type KnownError, portOf, serverName } from './context.js'
import { inputProblem } from './url.js'

/** One reply as people read it: "550 5.1.1 no such user". */
export function replyText(r: { code: number; enhancedCode?: string; message: string }): string {
  return [r.code, r.enhancedCode, r.message].filter(Boolean).join(' ')
}

/**
 * The reply of an `SmtpError` on one line, its code and enhanced code said once: `response` has
 * them on every line, as the server sent it ("535 5.7.8 bad credentials").
 */
function replyOf(code: number, e: KnownError): string {
  const enhanced = e.enhancedCode
  const text = (e.response ?? '')
    .split('\n')
    .map((line) => line.replace(/^\d{3}(?:[ -]|$)/, '').trim())
    .map((line) => (enhanced && line.startsWith(enhanced) ? line.slice(enhanced.length) : line))
    .map((line) => line.trim())
    .filter(Boolean)
    .join(' ')
  return replyText({ code, enhancedCode: enhanced ?? '', message: text })
}

/**
 * An `SmtpError` in the CLI's words: a refusal with its reply, a failed login, a TLS failure, and
 * for every error with a `hint` the fix as a flag or a URL, never the library's option names.
 */
export function smtpProblem(e: KnownError, context: ErrorContext): string {
  const server = serverName(context)
  const advised = e.hint === undefined ? undefined : hinted(e, e.hint, context)
  if (advised !== undefined) return advised
  const code = typeof e.code === 'number' ? e.code : undefined
  if (e.stage === 'auth' || e.command === 'AUTH' || code === 535 || code === 534) {
    return code === undefined
      ? `auth failed with ${server}: ${e.message}`
      : `auth failed: ${replyOf(code, e)}`
  }
  if (e.rejected && e.rejected.length > 0) {
    const list = e.rejected.map((r) => `${r.address} (${replyText(r)})`).join(', ')
    return `all recipients rejected: ${list}`
  }
  if (code !== undefined) {
    return `${server} refused ${e.command ?? e.stage ?? 'the message'}: ${replyOf(code, e)}`
  }
  if (e.stage === 'tls' || e.stage === 'starttls') {
    return `TLS failed with ${server}: ${tlsReason(e) ?? e.message.split('\n')[0]}`
  }
  if (e.stage === 'input') return inputProblem(e, context)
  return e.message.split('\n')[0] ?? e.name
}

/** The fix an `SmtpError.hint` stands for, as flags and URLs (undefined for a hint unknown here). */
function hinted(e: KnownError, hint: string, context: ErrorContext): string | undefined {
  const server = serverName(context)
  switch (hint) {
    case 'use-implicit-tls': {
      const fix = 'this port speaks TLS: use smtps://'
      if (e.stage === 'connect') return `connection timed out: ${server} (${fix})`
      if (e.stage === 'starttls') return `${server} does not offer STARTTLS: ${fix}`
      // Certain on port 465 and when TLS data arrived (not a timeout, so not transient); a
      // silent server on another port may only be slow.
      return portOf(context) === 465 || e.transient === false
        ? `no SMTP greeting from ${server}: ${fix}`
        : `no SMTP greeting from ${server} (timed out): if this port speaks TLS from the first byte, use smtps://`
    }
    case 'use-starttls':
      return `TLS failed with ${server}: the server answered in plaintext: use smtp:// (STARTTLS) instead of smtps://`
    case 'starttls-unavailable':
      return `${server} does not offer STARTTLS: use smtps:// if it speaks TLS from the first byte, or add ?security=starttls-opportunistic to the URL to send without encryption`
    case 'plaintext-auth':
      return `refusing to send the password unencrypted to ${server}, which is not a loopback address: use smtps:// or ?security=starttls (or ?allowInsecureAuth=true on a network you trust)`
    case 'untrusted-certificate': {
      const reason = tlsReason(e)
      return `TLS failed with ${server}: its certificate is not trusted${reason ? ` (${reason})` : ''}: pass the CA that issued it with --ca FILE, or connect by the name it was issued for`
    }
    case 'needs-smtputf8':
      return `${server} does not offer SMTPUTF8, which a UTF-8 address needs (--smtputf8): use an ASCII address or a server that offers it`
    case 'needs-8bitmime':
      return `${server} does not offer 8BITMIME and the message has 8-bit octets: encode its parts as quoted-printable or base64`
    case 'message-too-large':
      return e.size === undefined
        ? undefined
        : `message too large: ${formatBytes(e.size.message)}, and ${server} accepts at most ${formatBytes(e.size.limit)}`
    default:
      return undefined
  }
}

// OpenSSL's own text ("80AB...:error:0A00010B:SSL routines:ssl3_get_record:wrong version
// number:../deps/openssl/...") carries its reason in the fifth field.
const OPENSSL = /error:[0-9A-F]+:[^:]*:[^:]*:([^:]+)/

/**
 * Why a TLS handshake failed, as the TLS layer (the error's innermost cause) said it, without
 * OpenSSL's codes and file names; undefined when the error has no cause.
 */
function tlsReason(e: KnownError): string | undefined {
  let text: string | undefined
  for (let c: unknown = e.cause, depth = 0; c instanceof Error && depth < 8; depth++) {
    text = c.message
    c = c.cause
  }
  if (text === undefined) return undefined
  return (OPENSSL.exec(text)?.[1] ?? text.split('\n')[0] ?? text).trim()
}
