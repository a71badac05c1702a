/** One mailbox as parsed: the display name and addr-spec parts as values, unquoted. */
export interface Mailbox {
  /** Display name ('' when none). */
  name: string
  /** Local part value, quotes and escapes removed. */
  local: string
  /** Domain as written: a dot-atom (possibly Unicode) or a literal such as '[192.0.2.1]'. */
  domain: string
}

/** RFC 5322 section 3.4 group: `name: member, member;` (members may be none). */
export interface Group {
  group: string
  members: Mailbox[]
}

export type AddressEntry = Mailbox | Group

export function isGroup(entry: AddressEntry): entry is Group {
  return (entry as Group).members !== undefined
}
