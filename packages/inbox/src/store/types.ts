/** The SMTP envelope of a message: MAIL FROM (empty for a null sender) and every RCPT TO. */
export interface Envelope {
  from: string
  to: string[]
}

/** What a store knows of a message without parsing it. */
export interface StoredMeta {
  id: string
  receivedAt: Date
  envelope: Envelope
  /** Octets of the stored message. */
  size: number
}

/**
 * Where messages are kept: the bytes exactly as received and the envelope beside them. Stores
 * know nothing of MIME; the catalog parses.
 */
export interface Store {
  /** The folder, or `':memory:'`. */
  readonly dir: string
  /**
   * Keeps the message `data` yields and resolves once it is complete and listed. When `data`
   * fails (too large, connection lost) nothing of it is kept and the error is passed on.
   */
  put(data: AsyncIterable<Uint8Array>, envelope: Envelope): Promise<StoredMeta>
  /** Every stored id, newest first. */
  ids(): Promise<string[]>
  meta(id: string): Promise<StoredMeta | undefined>
  read(id: string): Promise<Uint8Array | undefined>
  /** False when the id was not stored. */
  remove(id: string): Promise<boolean>
  /** The `.eml` file of a message, for stores on disk. */
  path(id: string): string | undefined
  /**
   * Calls `onChange` with the id of each message that appears or goes by any other hand than
   * this store's (stores that others can write to); returns the function that stops watching.
   */
  watch?(onChange: (id: string) => void): () => void
}

/** Ids sort by arrival time: newest first is descending order. */
export function newestFirst(ids: string[]): string[] {
  return ids.sort((a, b) => (a < b ? 1 : a > b ? -1 : 0))
}
