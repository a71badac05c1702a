import { randomBytes } from 'node:crypto'

/**
 * What may be a message id: the stem of an `.eml` file in the store. The inbox names messages
 * `20261128T201050123Z-ab12cd` (see {@link messageId}); a file copied in by hand keeps its own
 * name. No slash, no backslash, no leading dot: an id can never leave the store's folder, so
 * a request for `../../etc/passwd` is an unknown id (404), not a path.
 */
const ID = /^[A-Za-z0-9][\w.-]{0,199}$/

/** True for a string that may be a message id (whether or not it is stored). */
export function isMessageId(value: string): boolean {
  return ID.test(value)
}

/**
 * The id of a message that arrived at `when`.
 *
 * @example
 * messageId(new Date('2026-11-28T20:10:50.123Z'), 'ab12cd') // '20261128T201050123Z-ab12cd'
 */
export function messageId(when: Date, suffix: string = randomBytes(3).toString('hex')): string {
  const stamp = when
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.(\d{3})Z$/, '$1Z')
  return `${stamp}-${suffix}`
}

/**
 * The `.eml` file name of a message that arrived at `when`.
 *
 * @example
 * messageFileName(new Date('2026-11-28T20:10:50.123Z'), 'ab12cd') // '20261128T201050123Z-ab12cd.eml'
 */
export function messageFileName(when: Date, suffix?: string): string {
  return `${messageId(when, suffix)}.eml`
}

/** The arrival time an id carries. */
export function idTime(id: string): Date {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(\d{3})Z/.exec(id)
  if (!m) return new Date(Number.NaN)
  return new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}.${m[7]}Z`)
}

/**
 * Hands out arrival times that strictly increase within this process, so two messages received
 * in the same millisecond still sort (and are listed) in the order they arrived.
 */
export function arrivalClock(now: () => Date = () => new Date()): () => Date {
  let last = 0
  return () => {
    last = Math.max(now().getTime(), last + 1)
    return new Date(last)
  }
}
