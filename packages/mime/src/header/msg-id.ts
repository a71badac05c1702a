/** Message identifiers, RFC 5322 section 3.6.4. */
import { assertSingleLine, assertString, MimeError } from '../errors.js'

/** RFC 5322 3.2.3 dot-atom-text: atoms of atext joined by single dots. */
const DOT_ATOM = "[A-Za-z0-9!#$%&'*+\\-/=?^_`{|}~]+(?:\\.[A-Za-z0-9!#$%&'*+\\-/=?^_`{|}~]+)*"
/** id-left "@" id-right: dot-atom-text, and dot-atom-text or a no-fold-literal ("[" *dtext "]"). */
const MSG_ID = new RegExp(`^${DOT_ATOM}@(?:${DOT_ATOM}|\\[[\\x21-\\x5a\\x5e-\\x7e]*\\])$`)
/** Keeps a References field of many ids foldable and each line within 998 octets. */
const MAX_ID = 900

/**
 * One msg-id, given with or without angle brackets, returned with them.
 *
 * @example msgId('abc@example.com', 'messageId') // '<abc@example.com>'
 */
export function msgId(value: unknown, field: string): string {
  assertString(value, field)
  assertSingleLine(value, field)
  const bare = value.startsWith('<') && value.endsWith('>') ? value.slice(1, -1) : value
  if (!MSG_ID.test(bare) || bare.length > MAX_ID) {
    throw new MimeError(field, `"${value.slice(0, 60)}" is not a message ID like <id@domain>`)
  }
  return '<' + bare + '>'
}

/** One or more msg-ids separated by whitespace (In-Reply-To, References). */
export function msgIdList(value: unknown, field: string): string[] {
  assertString(value, field)
  assertSingleLine(value, field)
  const ids = value.split(/[ \t]+/).filter((id) => id !== '')
  if (ids.length === 0) throw new MimeError(field, 'is empty')
  return ids.map((id) => msgId(id, field))
}
