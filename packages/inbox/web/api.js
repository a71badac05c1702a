// @ts-check
/** The page's side of the inbox's HTTP API. */

/** @typedef {import('../src/types.js').InboxMessage} InboxMessage */
/** @typedef {{ smtpUrl: string, maxMessageSize: number }} InboxInfo */

/**
 * @param {string} path
 * @param {RequestInit} [init]
 */
async function request(path, init) {
  const res = await fetch(path, init)
  if (!res.ok && res.status !== 404) {
    const body = await res.json().catch(() => ({}))
    throw new Error(body.error ?? `${init?.method ?? 'GET'} ${path}: HTTP ${res.status}`)
  }
  return res
}

/** @returns {Promise<InboxMessage[]>} newest first */
export async function listMessages() {
  return (await request('/api/messages')).json()
}

/** @returns {Promise<InboxInfo>} */
export async function inboxInfo() {
  return (await request('/api/info')).json()
}

/** @param {string} id */
export async function rawSource(id) {
  const res = await request(`/api/messages/${encodeURIComponent(id)}/raw`)
  return res.ok ? res.text() : undefined
}

/** @param {string} id */
export async function deleteMessage(id) {
  await request(`/api/messages/${encodeURIComponent(id)}`, { method: 'DELETE' })
}

export async function deleteAll() {
  await request('/api/messages', { method: 'DELETE' })
}

/** @param {string} id */
export function rawUrl(id) {
  return `/api/messages/${encodeURIComponent(id)}/raw`
}

/**
 * @param {string} id
 * @param {boolean} remote
 */
export function htmlUrl(id, remote) {
  return `/api/messages/${encodeURIComponent(id)}/html${remote ? '?remote=1' : ''}`
}

/**
 * @param {string} id
 * @param {number} index
 */
export function attachmentUrl(id, index) {
  return `/api/messages/${encodeURIComponent(id)}/attachments/${index}`
}

/**
 * Follows the event stream. EventSource reconnects by itself; `onOpen` runs on every
 * (re)connection, so the caller can catch up on what it missed meanwhile.
 * @param {{
 *   onMessage(message: InboxMessage): void,
 *   onDelete(id: string): void,
 *   onOpen(): void,
 *   onDown(): void,
 * }} handlers
 */
export function followEvents(handlers) {
  const source = new EventSource('/api/events')
  source.addEventListener('open', () => handlers.onOpen())
  source.addEventListener('error', () => handlers.onDown())
  source.addEventListener('message', (e) => handlers.onMessage(JSON.parse(e.data)))
  source.addEventListener('delete', (e) =>
    handlers.onDelete(JSON.parse(/** @type {MessageEvent} */ (e).data).id),
  )
  return () => source.close()
}
