import { describeFilter, matches } from './filter.js'
import { isMessageId } from './ids.js'
import { type ParsedMessage, parseMessage } from './parse.js'
import type { Envelope, Store } from './store/types.js'
import type { InboxAttachment, InboxEvent, InboxFilter, InboxMessage } from './types.js'

const DEFAULT_WAIT_MS = 10_000
// setTimeout's limit: a longer wait would fire at once.
export const MAX_WAIT_MS = 2 ** 31 - 1

/**
 * The messages of a store as the inbox serves them: parsed (once, then cached: stored messages
 * never change), filtered, listed newest first, announced to subscribers as they come and go.
 * The SMTP side adds to it; the library, the HTTP API and `mailx inbox` read it.
 *
 * @example
 * const catalog = new Catalog(diskStore('.mail/inbox'))
 * const [latest] = await catalog.messages({ subject: 'Welcome' })
 */
export class Catalog {
  readonly store: Store
  private readonly cache = new Map<string, Promise<InboxMessage | undefined>>()
  private readonly listeners = new Set<(event: InboxEvent) => void>()
  private readonly caching: boolean
  /**
   * The ids subscribers know of. Each arrival and each deletion is announced once, whoever saw
   * it first: this inbox storing or deleting, or the folder's watcher (another process).
   */
  private readonly announced = new Set<string>()
  private readonly closing = new AbortController()

  /** `cache: false` parses on every read (a one-shot reader such as `mailx inbox`). */
  constructor(store: Store, options: { cache?: boolean } = {}) {
    this.store = store
    this.caching = options.cache ?? true
  }

  /** Stores a message arriving as `data`, then announces it. */
  async add(data: AsyncIterable<Uint8Array>, envelope: Envelope): Promise<InboxMessage> {
    const meta = await this.store.put(data, envelope)
    const raw = await this.store.read(meta.id)
    // Deleted between the write and this read: a delete event follows nothing, so none is sent.
    if (raw === undefined) throw new Error(`message ${meta.id} was deleted while it was stored`)
    const { message } = await parseMessage(raw, meta)
    if (this.caching) this.cache.set(meta.id, Promise.resolve(message))
    this.announce({ type: 'message', message })
    return message
  }

  /**
   * Announces what other writers do to the store too (`mailx send` storing into the folder a
   * running inbox serves, a file deleted by hand). Resolves once the present messages are known.
   */
  async follow(): Promise<() => void> {
    for (const id of await this.store.ids()) this.announced.add(id)
    const stop = this.store.watch?.((id) => {
      this.changed(id).catch(() => {
        // A file that cannot be read now is read when it is listed; nothing to announce yet.
      })
    })
    return stop ?? (() => {})
  }

  /** Another writer stored or deleted `id`. */
  private async changed(id: string): Promise<void> {
    if (!(await this.store.meta(id))) {
      this.cache.delete(id)
      return this.announce({ type: 'delete', id })
    }
    if (this.announced.has(id)) return
    const message = await this.message(id)
    if (message) this.announce({ type: 'message', message })
  }

  /** Stored messages matching `filter`, newest first. */
  async messages(filter: InboxFilter = {}): Promise<InboxMessage[]> {
    const ids = await this.store.ids()
    if (this.caching) {
      const present = new Set(ids)
      for (const id of this.cache.keys()) if (!present.has(id)) this.cache.delete(id)
    }
    const out: InboxMessage[] = []
    for (const id of ids) {
      const message = await this.message(id)
      if (message && matches(message, filter)) out.push(message)
    }
    return out
  }

  /** Every stored id, newest first. */
  ids(): Promise<string[]> {
    return this.store.ids()
  }

  /** One message, or undefined for an id that is not stored (or cannot be one). */
  message(id: string): Promise<InboxMessage | undefined> {
    if (!isMessageId(id)) return Promise.resolve(undefined)
    const cached = this.cache.get(id)
    if (cached) return cached
    const parsed = this.parse(id).then((p) => p?.message)
    if (this.caching) {
      this.cache.set(id, parsed)
      // A message deleted meanwhile is not remembered as missing: it may be stored again.
      parsed.then(
        (m) => m === undefined && this.cache.get(id) === parsed && this.cache.delete(id),
        () => this.cache.get(id) === parsed && this.cache.delete(id),
      )
    }
    return parsed
  }

  /** A message with the bytes of its attachments. */
  async parse(id: string): Promise<ParsedMessage | undefined> {
    const [meta, raw] = await Promise.all([this.store.meta(id), this.store.read(id)])
    if (!meta || !raw) return undefined
    return parseMessage(raw, meta)
  }

  raw(id: string): Promise<Uint8Array | undefined> {
    return this.store.read(id)
  }

  /** One attachment and its decoded bytes, by its index in `InboxMessage.attachments`. */
  async attachment(
    id: string,
    index: number,
  ): Promise<{ attachment: InboxAttachment; content: Uint8Array } | undefined> {
    const parsed = await this.parse(id)
    const attachment = parsed?.message.attachments[index]
    const content = parsed?.contents[index]
    return attachment && content ? { attachment, content } : undefined
  }

  async delete(id: string): Promise<boolean> {
    const removed = await this.store.remove(id)
    this.cache.delete(id)
    if (removed) this.announce({ type: 'delete', id })
    return removed
  }

  async clear(): Promise<void> {
    for (const id of await this.store.ids()) await this.delete(id)
  }

  subscribe(listener: (event: InboxEvent) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /**
   * The oldest stored match, else the first match to arrive. Subscribes before it looks at the
   * store, so a message arriving meanwhile cannot slip between the two.
   */
  waitFor(
    filter: InboxFilter,
    options: { timeoutMs?: number; signal?: AbortSignal } = {},
  ): Promise<InboxMessage> {
    const timeoutMs = options.timeoutMs ?? DEFAULT_WAIT_MS
    // The caller's signal, and the inbox closing: either ends the wait with its reason.
    const stops = [options.signal, this.closing.signal].filter((s) => s !== undefined)
    return new Promise<InboxMessage>((resolve, reject) => {
      let looking = true
      const arrived: InboxMessage[] = []
      const settle = (done: () => void) => {
        clearTimeout(timer)
        unsubscribe()
        for (const s of stops) s.removeEventListener('abort', onAbort)
        done()
      }
      const onAbort = () => settle(() => reject(stops.find((s) => s.aborted)?.reason))
      const unsubscribe = this.subscribe((event) => {
        if (event.type !== 'message' || !matches(event.message, filter)) return
        if (looking) arrived.push(event.message)
        else settle(() => resolve(event.message))
      })
      const timer = setTimeout(() => {
        const error = new Error(
          `waitFor timed out after ${timeoutMs} ms: no message matching ${describeFilter(filter)}`,
        )
        // The name DOMException gives a timeout, so callers can tell it from a store failure.
        error.name = 'TimeoutError'
        settle(() => reject(error))
      }, timeoutMs)
      if (stops.some((s) => s.aborted)) return onAbort()
      for (const s of stops) s.addEventListener('abort', onAbort, { once: true })
      this.messages(filter).then(
        (stored) => {
          looking = false
          const first = stored.at(-1) ?? arrived[0]
          if (first) settle(() => resolve(first))
        },
        (err: unknown) => settle(() => reject(err)),
      )
    })
  }

  /** Ends every wait in progress: the inbox is closing. */
  close(): void {
    this.closing.abort(new Error('the inbox was closed while waiting for a message'))
  }

  private announce(event: InboxEvent): void {
    if (event.type === 'message') {
      if (this.announced.has(event.message.id)) return
      this.announced.add(event.message.id)
    } else if (!this.announced.delete(event.id)) return
    this.emit(event)
  }

  private emit(event: InboxEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event)
      } catch {
        // One subscriber's failure must not keep the event from the others or fail the SMTP reply.
      }
    }
  }
}
