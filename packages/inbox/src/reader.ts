import { Catalog } from './catalog.js'
import { checkFilter } from './filter.js'
import { openStore } from './inbox.js'
import type { InboxFilter, InboxMessage } from './types.js'

/**
 * A stored inbox read without running a server: what `mailx inbox` uses, and what a script can
 * use to look at a folder `mailx serve` or `startInbox` fills.
 *
 * @example
 * const reader = readInbox('.mail/inbox')
 * for (const id of await reader.ids()) console.log((await reader.message(id))?.subject)
 */
export interface InboxReader {
  /** The folder read. */
  readonly dir: string
  /** Every stored id, newest first. */
  ids(): Promise<string[]>
  /** Stored messages matching `filter`, newest first. */
  messages(filter?: InboxFilter): Promise<InboxMessage[]>
  message(id: string): Promise<InboxMessage | undefined>
  /** The bytes exactly as received. */
  raw(id: string): Promise<Uint8Array | undefined>
  /** The decoded bytes of each attachment, in the order of `InboxMessage.attachments`. */
  attachments(id: string): Promise<Uint8Array[] | undefined>
  /** The message's `.eml` file. */
  path(id: string): string | undefined
}

/**
 * Reads the inbox stored in `dir`, parsing each message when asked for it (nothing is kept in
 * memory between calls).
 *
 * @example
 * const [latest] = await readInbox('.mail/inbox').messages({ to: 'bob@example.org' })
 */
export function readInbox(dir: string): InboxReader {
  const catalog = new Catalog(openStore(dir), { cache: false })
  return {
    dir,
    ids: () => catalog.ids(),
    messages: async (filter) => catalog.messages(checkFilter(filter)),
    message: (id) => catalog.message(id),
    raw: (id) => catalog.raw(id),
    attachments: async (id) => (await catalog.parse(id))?.contents,
    path: (id) => catalog.store.path(id),
  }
}
