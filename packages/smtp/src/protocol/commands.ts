import { inputError } from '../errors.js'

// RFC 5321 4.1.1: commands end in CRLF; a CR, LF or NUL inside a value would start a new command.
const FORBIDDEN = /[\r\n\0]/

/** Rejects CR, LF and NUL in any value placed on a command line (command injection guard). */
export function assertSingleLine(value: string, field: string): void {
  if (FORBIDDEN.test(value)) {
    throw inputError(`${field} must not contain CR, LF or NUL: ${JSON.stringify(value)}`)
  }
}

/**
 * Validates an envelope address before any command is written: one line, no control
 * characters, no angle brackets, no unquoted whitespace, a local part and a domain
 * (RFC 5321 4.1.2 Mailbox). The empty string is the null reverse-path (only for MAIL FROM).
 * Throws an SmtpError (stage 'input') whose message names `field`.
 *
 * @example assertAddress('"john doe"@example.com', 'to[0]') // fine: a quoted local part
 */
export function assertAddress(address: string, field: string, allowEmpty = false): void {
  if (typeof address !== 'string') throw inputError(`${field} must be a string`)
  assertSingleLine(address, field)
  if (address === '') {
    if (allowEmpty) return
    throw inputError(`${field} must not be empty`)
  }
  if (address.length > 320) throw inputError(`${field} is longer than 320 characters`)
  let quoted = false
  for (let i = 0; i < address.length; i++) {
    const c = address.charCodeAt(i)
    if (c < 32 || c === 127) throw inputError(`${field} contains a control character`)
    if (c === 34) quoted = !quoted
    else if (c === 92 && quoted) i++
    else if (!quoted && (c === 32 || c === 60 || c === 62)) {
      throw inputError(`${field} is not a bare address: ${JSON.stringify(address)}`)
    }
  }
  const at = address.lastIndexOf('@')
  if (quoted || at <= 0 || at === address.length - 1) {
    throw inputError(`${field} is not an address: ${JSON.stringify(address)}`)
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
  assertSingleLine(name, 'name')
  if (name === '' || /[\s\0-\x1f\x7f]/.test(name)) {
    throw inputError(`name must be a domain or address literal: ${JSON.stringify(name)}`)
  }
}

function hello(verb: string, name: string): string {
  assertClientName(name)
  return `${verb} ${name}\r\n`
}

/** The command line formatters; each returns one line with its CRLF. */
export const command = {
  ehlo: (name: string) => hello('EHLO', name),
  helo: (name: string) => hello('HELO', name),
  // RFC 2033 4.1
  lhlo: (name: string) => hello('LHLO', name),
  starttls: () => 'STARTTLS\r\n',
  // RFC 4954 4: AUTH mechanism [initial-response]; '=' stands for an empty initial response
  auth: (mechanism: string, initial?: string) =>
    `AUTH ${mechanism}${initial === undefined ? '' : ` ${initial === '' ? '=' : initial}`}\r\n`,
  mailFrom: (address: string, parameters: readonly string[] = []) => {
    assertAddress(address, 'from', true)
    return `MAIL FROM:<${address}>${params(parameters)}\r\n`
  },
  rcptTo: (address: string, parameters: readonly string[] = []) => {
    assertAddress(address, 'to', false)
    return `RCPT TO:<${address}>${params(parameters)}\r\n`
  },
  data: () => 'DATA\r\n',
  // RFC 3030 2: BDAT chunk-size [ SP end-marker ]
  bdat: (size: number, last: boolean) => `BDAT ${size}${last ? ' LAST' : ''}\r\n`,
  rset: () => 'RSET\r\n',
  noop: () => 'NOOP\r\n',
  quit: () => 'QUIT\r\n',
} as const
