import { arrivalClock, messageId } from '../ids.js'
import { type Envelope, newestFirst, type Store, type StoredMeta } from './types.js'

/** The `':memory:'` store: nothing touches the disk; everything goes when the process ends. */
export function memoryStore(now?: () => Date): Store {
  const messages = new Map<string, { meta: StoredMeta; raw: Uint8Array }>()
  const clock = arrivalClock(now)
  return {
    dir: ':memory:',
    async put(data: AsyncIterable<Uint8Array>, envelope: Envelope) {
      const chunks: Uint8Array[] = []
      for await (const chunk of data) chunks.push(chunk)
      const raw = Buffer.concat(chunks)
      const receivedAt = clock()
      let id = messageId(receivedAt)
      while (messages.has(id)) id = messageId(receivedAt)
      const meta = { id, receivedAt, envelope, size: raw.length }
      messages.set(id, { meta, raw })
      return meta
    },
    async ids() {
      return newestFirst([...messages.keys()])
    },
    async meta(id) {
      return messages.get(id)?.meta
    },
    async read(id) {
      return messages.get(id)?.raw
    },
    async remove(id) {
      return messages.delete(id)
    },
    path() {
      return undefined
    },
  }
}
