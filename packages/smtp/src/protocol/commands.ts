import { inputError } from '../errors.js'
import { firstUnsafe, shown, unsafeAt } from './text.js'
import { CRLF, MAX_ADDRESS_LENGTH } from './wire.js'

// RFC 5321 4.1.1: commands end in CRLF; a CR, LF or NUL inside a value would start a new command.
const LINE_BREAK = /[\r\n\0]/

/** Rejects CR, LF and NUL in any value placed on a command line (command injection guard). */
function assertSingleLine(value: string, field: string): void {
  if (LINE_BREAK.test(value)) {
    throw inputError(`${field} must not contain CR, LF or NUL: ${shown(value)}`, field)
  }
}

/**
 * Rejects what a one-line protocol value must not carry: CR, LF and NUL (they would start a new
 * command), any other control, and the characters that smuggle or disguise text (C1 controls,
 * U+2028/U+2029, bidi controls, lone surrogates; see `unsafeAt`).
 */
export function assertSafeText(value: string, field: string): void {
  assertSingleLine(value, field)
  const bad = firstUnsafe(value)
  if (bad !== undefined)
    throw inputError(`${field} contains ${bad.what} at index ${bad.index}`, field)
}

/**
 * Checks an envelope address before any command is written, the way `SmtpClient.send` checks
 * every address of its envelope: one line; no control characters (C0, DEL or C1), line or
 * paragraph separators, bidi controls or lone surrogates; no angle brackets or unquoted
 * whitespace; a local part, '@' and a domain (RFC 5321 4.1.2 Mailbox), at most 320 characters.
 * The empty string is the null reverse-path, accepted only when `allowEmpty` is set (MAIL FROM).
 * The address is never rewritten. Throws an {@link SmtpError} with stage `'input'` whose `field`
 * (and message) is `field`.
 *
 * @example
 * assertAddress('"john doe"@example.com', 'to[0]') // passes: a quoted local part
 * assertAddress('', 'from', true)                  // passes: the null sender
 * assertAddress('bob@example.org\u202e', 'to[1]')  // throws: to[1] contains a bidirectional control
 */
export function assertAddress(address: string, field: string, allowEmpty = false): void {
  if (typeof address !== 'string') throw inputError(`${field} must be a string`, field)
  assertSingleLine(address, field)
  if (address === '') {
    if (allowEmpty) return
    throw inputError(`${field} must not be empty`, field)
  }
  if (address.length > MAX_ADDRESS_LENGTH) {
    throw inputError(`${field} is longer than ${MAX_ADDRESS_LENGTH} characters`, field)
  }
  let quoted = false
  for (let i = 0; i < address.length; i++) {
    const c = address.charCodeAt(i)
    if (c < 32 || c >= 127) {
      const what = unsafeAt(address, i)
      if (what !== undefined) throw inputError(`${field} contains ${what} at index ${i}`, field)
    } else if (c === 34) quoted = !quoted
    else if (c === 92 && quoted) i++
    else if (!quoted && (c === 32 || c === 60 || c === 62)) {
      throw inputError(`${field} is not a bare address: ${shown(address)}`, field)
    }
  }
  const at = address.lastIndexOf('@')
  if (quoted || at <= 0 || at === address.length - 1) {
    throw inputError(`${field} is not an address: ${shown(address)}`, field)
  }
}

/** Whether a string needs SMTPUTF8 (RFC 6531) to travel in the envelope. */
export function isAscii(value: string): boolean {
  for (let i = 0; i < value.length; i++) if (value.charCodeAt(i) > 127) return false
  return true
}

function params(list: readonly string[]): string {
  let out = ''
  for (const p of list) {
    assertSingleLine(p, 'parameter')
    out += ` ${p}`
  }
  return out
}

/** Validates an EHLO/HELO/LHLO name (RFC 5321 4.1.1.1: a domain or an address literal). */
export function assertClientName(name: string): void {
  if (typeof name !== 'string') throw inputError('name must be a string', 'name')
  assertSafeText(name, 'name')
  if (name === '' || /\s/.test(name)) {
    throw inputError(`name must be a domain or address literal: ${shown(name)}`, 'name')
  }
}

function hello(verb: string, name: string): string {
  assertClientName(name)
  return `${verb} ${name}${CRLF}`
}

/** The command line formatters; each returns one line with its CRLF. */
export const command = {
  ehlo: (name: string) => hello('EHLO', name),
  helo: (name: string) => hello('HELO', name),
  // RFC 2033 4.1
  lhlo: (name: string) => hello('LHLO', name),
  starttls: () => `STARTTLS${CRLF}`,
  // RFC 4954 4: AUTH mechanism [initial-response]; '=' stands for an empty initial response
  auth: (mechanism: string, initial?: string) =>
    `AUTH ${mechanism}${initial === undefined ? '' : ` ${initial === '' ? '=' : initial}`}${CRLF}`,
  /** A response to a 334 challenge (RFC 4954 4): base64 text on a line of its own. */
  authResponse: (response: string) => `${response}${CRLF}`,
  mailFrom: (address: string, parameters: readonly string[] = []) => {
    assertAddress(address, 'from', true)
    return `MAIL FROM:<${address}>${params(parameters)}${CRLF}`
  },
  rcptTo: (address: string, parameters: readonly string[] = []) => {
    assertAddress(address, 'to', false)
    return `RCPT TO:<${address}>${params(parameters)}${CRLF}`
  },
  data: () => `DATA${CRLF}`,
  // RFC 3030 2: BDAT chunk-size [ SP end-marker ]
  bdat: (size: number, last: boolean) => `BDAT ${size}${last ? ' LAST' : ''}${CRLF}`,
  rset: () => `RSET${CRLF}`,
  noop: () => `NOOP${CRLF}`,
  quit: () => `QUIT${CRLF}`,
} as const
