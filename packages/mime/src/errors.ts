/**
 * The one error @mail/mime throws for bad input. `field` names the input field at fault, in the
 * shape of a property path: `'from'`, `'to[1]'`, `'subject'`, `'headers.X-Foo'`,
 * `'attachments[0].filename'`, `'messageId'`.
 *
 * @example
 * ```ts
 * try {
 *   buildMessage({ from: 'alice@example.com', subject: 'Hi\r\nBcc: victim@example.com' })
 * } catch (err) {
 *   if (err instanceof MimeError) console.log(err.field) // 'subject'
 * }
 * ```
 */
export class MimeError extends Error {
  /** The input field at fault, e.g. `'to[1]'` or `'attachments[0].filename'`. */
  readonly field: string

  constructor(field: string, message: string) {
    super(`${field}: ${message}`)
    this.name = 'MimeError'
    this.field = field
  }
}

/** Every character a single-line value may not hold (tab, being whitespace, is allowed). */
const REFUSED = /[\0-\x08\n-\x1f\x7f-\x9f\u2028-\u202e\u2066-\u2069\p{Cs}]/u
const LINE_BREAK_OR_NUL = /[\r\n\0]/
/** Other C0 controls and DEL: RFC 5322 allows them only as obsolete syntax, and strict parsers
 * (Python's email) flag them as defects even inside encoded-words. */
const CONTROL = /[\x01-\x08\x0b\x0c\x0e-\x1f\x7f]/
/** C1 controls: U+0085 is a line break to Unicode-aware readers, U+009B a terminal's CSI. */
const C1 = /[\x80-\x9f]/
/** Unicode's line and paragraph separators, which break lines in many readers and logs. */
const SEPARATOR = /[\u2028\u2029]/
/** Bidi embeddings, overrides and isolates: they reorder what a reader sees (Trojan Source). */
const BIDI = /[\u202a-\u202e\u2066-\u2069]/

/**
 * Throws when a single-line value carries CR, LF or NUL (the rule that stops header injection),
 * another C0 or a C1 control character, U+2028 or U+2029, a bidirectional formatting character,
 * or a lone surrogate (which no encoder can write without replacing it, and an address must
 * never be rewritten).
 */
export function assertSingleLine(value: string, field: string): void {
  if (!REFUSED.test(value)) return
  if (LINE_BREAK_OR_NUL.test(value)) {
    throw new MimeError(field, 'must not contain CR, LF or NUL characters')
  }
  if (CONTROL.test(value)) throw new MimeError(field, 'must not contain control characters')
  if (C1.test(value)) {
    throw new MimeError(field, 'must not contain C1 control characters (U+0080 to U+009F)')
  }
  if (SEPARATOR.test(value)) {
    throw new MimeError(field, 'must not contain the line or paragraph separator U+2028, U+2029')
  }
  if (BIDI.test(value)) {
    throw new MimeError(
      field,
      'must not contain bidirectional formatting characters (U+202A to U+202E, U+2066 to U+2069)',
    )
  }
  throw new MimeError(field, 'must not contain a lone UTF-16 surrogate (not a character)')
}

/** Throws unless `value` is a string; untyped callers reach this code too. */
export function assertString(value: unknown, field: string): asserts value is string {
  if (typeof value !== 'string') throw new MimeError(field, `must be a string, got ${typeof value}`)
}
