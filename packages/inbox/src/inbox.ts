import { Catalog, MAX_WAIT_MS } from './catalog.js'
import { inboxDir } from './dir.js'
import { InboxError } from './errors.js'
import { checkFilter } from './filter.js'
import { startHttp } from './http/server.js'
import {
  checkKeys,
  DEFAULT_HTTP_PORT,
  DEFAULT_SMTP_PORT,
  resolveEndpoint,
  resolveLimits,
  urlOf,
} from './options.js'
import { startReceiver } from './smtp.js'
import { diskStore } from './store/disk.js'
import { memoryStore } from './store/memory.js'
import type { Store } from './store/types.js'
import type { Inbox, InboxOptions } from './types.js'

/** The store for `dir`: `':memory:'` keeps nothing on disk. */
export function openStore(dir: string): Store {
  return dir === ':memory:' ? memoryStore() : diskStore(dir)
}

/**
 * Starts the local inbox: an SMTP server that keeps every message it receives, and an HTTP
 * server with the web page, the JSON API and the event stream, on the same store. Both listen
 * on 127.0.0.1 unless told otherwise.
 *
 * @example
 * const inbox = await startInbox({ dir: ':memory:', smtp: { port: 0 }, http: { port: 0 } })
 * await sendmail({ from: 'app@example.com', to: 'bob@example.org', subject: 'Your link', text: '...' }, inbox.smtpUrl)
 * const mail = await inbox.waitFor({ to: 'bob@example.org', subject: 'Your link' })
 * await inbox.close()
 */
export async function startInbox(options: InboxOptions = {}): Promise<Inbox> {
  checkKeys(options, ['dir', 'smtp', 'http', 'limits', 'onError'], '')
  const limits = resolveLimits(options.limits)
  const smtp = resolveEndpoint('smtp', options.smtp, DEFAULT_SMTP_PORT)
  const http =
    options.http === false ? undefined : resolveEndpoint('http', options.http, DEFAULT_HTTP_PORT)
  const dir = options.dir ?? inboxDir(process.env, process.cwd())
  const catalog = new Catalog(openStore(dir))
  const unfollow = await catalog.follow()

  const receiver = await startReceiver({
    ...smtp,
    limits,
    catalog,
    onError: options.onError,
  }).catch((err: unknown) => {
    unfollow()
    throw err
  })
  const smtpUrl = urlOf('smtp', receiver.host, receiver.port)
  const web = http
    ? await startHttp({
        ...http,
        maxConnections: limits.maxConnections,
        catalog,
        info: { smtpUrl, maxMessageSize: limits.maxMessageSize },
      }).catch(async (err: unknown) => {
        unfollow()
        await receiver.close()
        throw err
      })
    : undefined

  return {
    smtpUrl,
    httpUrl: web && urlOf('http', web.host, web.port),
    dir,
    messages: async (filter) => catalog.messages(checkFilter(filter)),
    async waitFor(options = {}) {
      const { timeoutMs, signal } = options
      if (
        timeoutMs !== undefined &&
        (typeof timeoutMs !== 'number' || !(timeoutMs >= 0 && timeoutMs <= MAX_WAIT_MS))
      ) {
        throw new InboxError('timeoutMs', `timeoutMs must be a number from 0 to ${MAX_WAIT_MS}`)
      }
      const filter = checkFilter(options, ['timeoutMs', 'signal'])
      return catalog.waitFor(filter, {
        ...(timeoutMs === undefined ? {} : { timeoutMs }),
        ...(signal === undefined ? {} : { signal }),
      })
    },
    message: (id) => catalog.message(id),
    raw: (id) => catalog.raw(id),
    delete: (id) => catalog.delete(id),
    clear: () => catalog.clear(),
    subscribe: (listener) => catalog.subscribe(listener),
    async close() {
      unfollow()
      catalog.close()
      await Promise.all([receiver.close(), web?.close()])
    },
  }
}
