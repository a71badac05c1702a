/** Unstructured field bodies (RFC 5322 section 3.2.5), such as Subject. */
import { encodedWords } from './encoded-word.js'

/** Printable ASCII words separated by single spaces: safe to write as is. */
const PLAIN_TEXT = /^[\x21-\x7e]+(?: [\x21-\x7e]+)*$/
/** Printable ASCII with any whitespace: a custom value written exactly as given. */
const RAW_TEXT = /^[\x20-\x7e\t]*$/
/** A run this long cannot be folded into a 998-octet line next to a field name. */
const LONG_RUN = /[^ \t]{900}/

function hasLongRun(value: string): boolean {
  return value.length >= 900 && LONG_RUN.test(value)
}

/**
 * A Subject-like value: as is when it is plain ASCII words, else RFC 2047 encoded-words, the
 * first at most `first` characters (see firstWordRoom).
 * Encoding also covers what a parser would otherwise alter: edge or repeated whitespace, tabs,
 * control characters, text that looks like an encoded-word ('=?') and unfoldable runs.
 *
 * @example formatText('Grüße aus Köln') // '=?utf-8?Q?Gr=C3=BC=C3=9Fe_aus_K=C3=B6ln?='
 */
export function formatText(value: string, first?: number): string {
  if (value === '') return ''
  if (PLAIN_TEXT.test(value) && !value.includes('=?') && !hasLongRun(value)) return value
  return encodedWords(value, first).join(' ')
}

/**
 * A custom field value: printable ASCII (with its whitespace) is written exactly as given, so
 * structured values such as List-Id keep their syntax; anything else, or a value starting with
 * whitespace, becomes encoded-words, the first at most `first` characters.
 */
export function formatCustomValue(value: string, first?: number): string {
  // Leading whitespace would read as part of the separator after the colon and be lost.
  const leading = value.charCodeAt(0) === 32 || value.charCodeAt(0) === 9
  if (RAW_TEXT.test(value) && !hasLongRun(value) && !leading) return value
  return encodedWords(value, first).join(' ')
}
