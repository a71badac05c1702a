import { type FSWatcher, mkdirSync, watch } from 'node:fs'
import type { FileHandle } from 'node:fs/promises'
import { mkdir, open, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { pipeline } from 'node:stream/promises'
import { arrivalClock, idTime, isMessageId, messageId } from '../ids.js'
import { type Envelope, newestFirst, type Store, type StoredMeta } from './types.js'

// Messages are private to the user who runs the inbox: they hold other people's mail.
const FOLDER_MODE = 0o700
const FILE_MODE = 0o600

/** The envelope file beside `<id>.eml`. */
interface Sidecar {
  receivedAt: string
  envelope: Envelope
}

/**
 * The file a message is stored in: `<dir>/<id>.eml`.
 *
 * @example
 * emlPath('.mail/inbox', '20261128T201050123Z-ab12cd') // '.mail/inbox/20261128T201050123Z-ab12cd.eml'
 */
export function emlPath(dir: string, id: string): string {
  return join(dir, `${id}.eml`)
}

function isMissing(err: unknown): boolean {
  return (err as { code?: string }).code === 'ENOENT'
}

/**
 * The store on disk, one message per file: `<id>.eml` holds the bytes exactly as received,
 * `<id>.json` the envelope and arrival time. A message is written under a temporary name and
 * renamed once complete (its envelope first), so a reader never sees half a message.
 */
export function diskStore(dir: string, now?: () => Date): Store {
  const clock = arrivalClock(now)
  const eml = (id: string) => emlPath(dir, id)
  const sidecar = (id: string) => join(dir, `${id}.json`)

  /** A new id and its temporary file, created exclusively (a clash picks another id). */
  async function reserve(receivedAt: Date): Promise<{ id: string; file: FileHandle }> {
    for (let attempt = 0; ; attempt++) {
      const id = messageId(receivedAt)
      try {
        return { id, file: await open(`${eml(id)}.tmp`, 'wx', FILE_MODE) }
      } catch (err) {
        if ((err as { code?: string }).code !== 'EEXIST' || attempt >= 4) throw err
      }
    }
  }

  async function readSidecar(id: string): Promise<Sidecar | undefined> {
    try {
      const parsed = JSON.parse(await readFile(sidecar(id), 'utf8')) as Partial<Sidecar>
      const envelope = parsed.envelope
      if (
        typeof parsed.receivedAt === 'string' &&
        !Number.isNaN(Date.parse(parsed.receivedAt)) &&
        typeof envelope?.from === 'string' &&
        Array.isArray(envelope.to) &&
        envelope.to.every((a) => typeof a === 'string')
      ) {
        return { receivedAt: parsed.receivedAt, envelope: { from: envelope.from, to: envelope.to } }
      }
      return undefined
    } catch {
      // A message copied in by hand has no envelope file; an unreadable one tells nothing either.
      return undefined
    }
  }

  return {
    dir,
    async put(data, envelope) {
      await mkdir(dir, { recursive: true, mode: FOLDER_MODE })
      const receivedAt = clock()
      const { id, file } = await reserve(receivedAt)
      const temp = `${eml(id)}.tmp`
      let size = 0
      try {
        await pipeline(
          data,
          async function* count(source: AsyncIterable<Uint8Array>) {
            for await (const chunk of source) {
              size += chunk.length
              yield chunk
            }
          },
          file.createWriteStream(),
        )
        const meta: Sidecar = { receivedAt: receivedAt.toISOString(), envelope }
        await writeFile(sidecar(id), `${JSON.stringify(meta)}\n`, { flag: 'wx', mode: FILE_MODE })
        await rename(temp, eml(id))
      } catch (err) {
        await file.close().catch(() => {})
        await rm(temp, { force: true })
        await rm(sidecar(id), { force: true })
        throw err
      }
      return { id, receivedAt, envelope, size }
    },
    async ids() {
      let names: string[]
      try {
        names = await readdir(dir)
      } catch (err) {
        if (isMissing(err)) return []
        throw err
      }
      const ids = names
        .filter((name) => name.endsWith('.eml'))
        .map((name) => name.slice(0, -'.eml'.length))
        .filter(isMessageId)
      return newestFirst(ids)
    },
    async meta(id): Promise<StoredMeta | undefined> {
      if (!isMessageId(id)) return undefined
      let size: number
      let mtime: Date
      try {
        ;({ size, mtime } = await stat(eml(id)))
      } catch (err) {
        if (isMissing(err)) return undefined
        throw err
      }
      const side = await readSidecar(id)
      const stamped = idTime(id)
      const receivedAt = side
        ? new Date(side.receivedAt)
        : Number.isNaN(stamped.getTime())
          ? mtime
          : stamped
      return { id, receivedAt, envelope: side?.envelope ?? { from: '', to: [] }, size }
    },
    async read(id) {
      if (!isMessageId(id)) return undefined
      try {
        return await readFile(eml(id))
      } catch (err) {
        if (isMissing(err)) return undefined
        throw err
      }
    },
    async remove(id) {
      if (!isMessageId(id)) return false
      try {
        await rm(eml(id))
      } catch (err) {
        if (isMissing(err)) return false
        throw err
      }
      await rm(sidecar(id), { force: true })
      return true
    },
    path(id) {
      return isMessageId(id) ? eml(id) : undefined
    },
    watch(onChange) {
      let watcher: FSWatcher
      try {
        // The folder exists from now on, so that another writer's first message is seen too.
        mkdirSync(dir, { recursive: true, mode: FOLDER_MODE })
        watcher = watch(dir, (_, name) => {
          const id = name?.endsWith('.eml') ? name.slice(0, -'.eml'.length) : undefined
          if (id !== undefined && isMessageId(id)) onChange(id)
        })
      } catch {
        // A folder that cannot be made or watched is reported when a message is stored (451).
        return () => {}
      }
      // A folder removed from under the inbox stops the watching, not the inbox.
      watcher.on('error', () => watcher.close())
      return () => watcher.close()
    },
  }
}
