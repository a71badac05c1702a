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

const LINE_BREAK_OR_NUL = /[\r\n\0]/
/** Other C0 controls and DEL: RFC 5322 allows them only as obsolete syntax, and strict parsers
 * (Python's email) flag them as defects even inside encoded-words. Tab is whitespace, so allowed. */
const CONTROL = /[\x01-\x08\x0b\x0c\x0e-\x1f\x7f]/

/**
 * Throws when a single-line value carries CR, LF or NUL (the rule that stops header injection)
 * or another control character.
 */
export function assertSingleLine(value: string, field: string): void {
  if (LINE_BREAK_OR_NUL.test(value)) {
    throw new MimeError(field, 'must not contain CR, LF or NUL characters')
  }
  if (CONTROL.test(value)) throw new MimeError(field, 'must not contain control characters')
}

/** Throws unless `value` is a string; untyped callers reach this code too. */
export function assertString(value: unknown, field: string): asserts value is string {
  if (typeof value !== 'string') throw new MimeError(field, `must be a string, got ${typeof value}`)
}
