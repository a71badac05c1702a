/** Writes parsed addresses back in RFC 5322 syntax. */
import { encodedWords } from '../header/encoded-word.js'
import { isAtext } from './parse.js'
import type { Mailbox } from './types.js'

/** RFC 5322 3.2.3 dot-atom-text: atext runs joined by single dots. */
function isDotAtom(value: string): boolean {
  if (value === '') return false
  let previousDot = true
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i)
    if (c === 46) {
      if (previousDot) return false
      previousDot = true
    } else if (isAtext(c)) previousDot = false
    else return false
  }
  return !previousDot
}

/** RFC 5322 3.2.4: a quoted-string escapes only '"' and '\'. */
export function quoteString(value: string): string {
  return '"' + value.replace(/["\\]/g, '\\$&') + '"'
}

/**
 * An addr-spec (`local@domain`) with the local part quoted only where RFC 5322 needs it. The
 * domain is passed already in its wire form (ASCII or Unicode, see domainToAscii).
 *
 * @example formatAddrSpec('john doe', 'example.com') // '"john doe"@example.com'
 */
export function formatAddrSpec(local: string, domain: string): string {
  return (isDotAtom(local) ? local : quoteString(local)) + '@' + domain
}

/** Atoms separated by single spaces: a display name that needs neither quotes nor encoding. */
const ATOM_PHRASE = /^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~]+(?: [A-Za-z0-9!#$%&'*+\-/=?^_`{|}~]+)*$/
/** Printable ASCII words separated by single spaces: a display name fit for a quoted-string. */
const QUOTABLE_PHRASE = /^[\x21-\x7e]+(?: [\x21-\x7e]+)*$/
/** Longest display name written as atoms or one quoted-string; longer ones are encoded-words. */
const MAX_PLAIN_PHRASE = 200

/**
 * A display name as an RFC 5322 phrase: atoms when possible, else a quoted-string, else (for
 * non-ASCII, control characters, edge or repeated spaces, '=?' or very long names) RFC 2047
 * encoded-words, which round-trip every string exactly.
 *
 * @example formatPhrase('Doe, Jane') // '"Doe, Jane"'
 */
export function formatPhrase(name: string): string {
  if (name.length <= MAX_PLAIN_PHRASE && !name.includes('=?')) {
    if (ATOM_PHRASE.test(name)) return name
    if (QUOTABLE_PHRASE.test(name)) return quoteString(name)
  }
  return encodedWords(name).join(' ')
}

/** A mailbox in header form: `addr` alone, or `phrase <addr>`. */
export function formatMailbox(mailbox: Mailbox, wireDomain: string): string {
  const spec = formatAddrSpec(mailbox.local, wireDomain)
  return mailbox.name === '' ? spec : formatPhrase(mailbox.name) + ' <' + spec + '>'
}
