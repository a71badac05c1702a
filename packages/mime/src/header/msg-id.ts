/** Message identifiers, RFC 5322 section 3.6.4. */
import { assertSingleLine, assertString, MimeError } from '../errors.js'

/** id-left "@" id-right, both printable ASCII without '<', '>' or space. */
const MSG_ID = /^[\x21-\x3b\x3d\x3f-\x7e]+@[\x21-\x3b\x3d\x3f-\x7e]+$/
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
