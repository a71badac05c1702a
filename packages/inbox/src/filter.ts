import { InboxError } from './errors.js'
import type { InboxAddress, InboxFilter, InboxMessage } from './types.js'

const FIELDS = ['to', 'from', 'subject'] as const

/**
 * Checks a filter given by a caller: only `to`, `from` and `subject`, each a string. Anything
 * else is refused by name, so a misspelt filter never silently matches every message.
 */
export function checkFilter(input: unknown, extra: readonly string[] = []): InboxFilter {
  if (input === undefined) return {}
  if (typeof input !== 'object' || input === null) {
    throw new InboxError('filter', 'the filter must be an object such as { to: "bob@example.org" }')
  }
  const filter: InboxFilter = {}
  for (const [key, value] of Object.entries(input)) {
    if (extra.includes(key)) continue
    if (!(FIELDS as readonly string[]).includes(key)) {
      throw new InboxError(
        `filter.${key}`,
        `unknown filter ${JSON.stringify(key)}: use ${FIELDS.join(', ')}`,
      )
    }
    if (value === undefined) continue
    if (typeof value !== 'string') {
      throw new InboxError(`filter.${key}`, `filter ${key} must be a string`)
    }
    filter[key as (typeof FIELDS)[number]] = value
  }
  return filter
}

function mailboxText(a: InboxAddress): string {
  return a.name ? `${a.name} <${a.address}>` : a.address
}

function contains(haystacks: string[], needle: string): boolean {
  const lower = needle.toLowerCase()
  return haystacks.some((h) => h.toLowerCase().includes(lower))
}

/**
 * True when `message` matches every filter given: a case-insensitive substring of the envelope
 * recipients, To or Cc (`to`), of the envelope sender or From (`from`), of the subject.
 */
export function matches(message: InboxMessage, filter: InboxFilter): boolean {
  const { to, from, subject } = filter
  if (to !== undefined) {
    const recipients = [...message.envelope.to, ...[...message.to, ...message.cc].map(mailboxText)]
    if (!contains(recipients, to)) return false
  }
  if (from !== undefined && !contains([message.envelope.from, mailboxText(message.from)], from)) {
    return false
  }
  return subject === undefined || contains([message.subject], subject)
}

/** A filter as people read it, for error messages: `{ to: "bob@" }`. */
export function describeFilter(filter: InboxFilter): string {
  const parts = FIELDS.filter((k) => filter[k] !== undefined).map(
    (k) => `${k}: ${JSON.stringify(filter[k])}`,
  )
  return parts.length ? `{ ${parts.join(', ')} }` : 'any message'
}
