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
const ATOM = /^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~]+$/
/** Printable ASCII: a display name a quoted-string carries exactly. */
const PRINTABLE = /^[\x20-\x7e\t]*$/
/** Whitespace at either end: parsers trim it from a quoted-string, not from an encoded-word. */
const EDGE_SPACE = /^[ \t]|[ \t]$/
/** Longest display name written as one quoted-string; longer ones are folded encoded-words. */
const MAX_QUOTED = 200
/**
 * Longest word kept as it is: folding happens only between words, so a longer one is written
 * as encoded-words (which split anywhere) to keep header lines within 78 characters.
 */
const MAX_WORD = 62
const LONG_WORD = new RegExp(`\\S{${MAX_WORD + 1}}`)

/**
 * A display name as an RFC 5322 phrase: atoms when possible, else one quoted-string for
 * printable ASCII, else a mix: ASCII atoms stay readable and each run of other words becomes
 * RFC 2047 encoded-words (a run, not each word, so the spaces inside it survive RFC 2047
 * section 6.2, which drops whitespace between adjacent encoded-words).
 *
 * @example formatPhrase('Doe, Jane') // '"Doe, Jane"'
 * @example formatPhrase('Zoë Smith') // '=?utf-8?Q?Zo=C3=AB?= Smith'
 */
export function formatPhrase(name: string, first?: number): string {
  // '=?' would be decoded as an encoded-word by lenient parsers, even inside quotes.
  const lookalike = name.includes('=?') || EDGE_SPACE.test(name)
  if (!lookalike && name.length <= MAX_QUOTED && PRINTABLE.test(name) && !LONG_WORD.test(name)) {
    return ATOM_PHRASE.test(name) ? name : quoteString(name)
  }
  if (lookalike || !/^\S+(?: \S+)*$/.test(name)) return encodedWords(name, first).join(' ')
  const tokens: string[] = []
  let run: string[] = []
  for (const word of name.split(' ')) {
    if (ATOM.test(word) && word.length <= MAX_WORD) {
      if (run.length > 0)
        tokens.push(encodedWords(run.join(' '), tokens.length === 0 ? first : undefined).join(' '))
      run = []
      tokens.push(word)
    } else run.push(word)
  }
  if (run.length > 0) {
    tokens.push(encodedWords(run.join(' '), tokens.length === 0 ? first : undefined).join(' '))
  }
  return tokens.join(' ')
}

/**
 * A mailbox in header form: `addr` alone, or `phrase <addr>`; `first` limits a leading
 * encoded-word (see formatPhrase).
 */
export function formatMailbox(mailbox: Mailbox, wireDomain: string, first?: number): string {
  const spec = formatAddrSpec(mailbox.local, wireDomain)
  return mailbox.name === '' ? spec : formatPhrase(mailbox.name, first) + ' <' + spec + '>'
}
