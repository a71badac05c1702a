import { randomBytes } from 'node:crypto'
import { mkdir, readdir, readFile, rename, stat, writeFile } from 'node:fs/promises'
import { isAbsolute, join, resolve } from 'node:path'
import { CliError } from '../output.js'

/** The inbox folder: `MAIL_INBOX`, else `.mail/inbox` under the working directory. */
export function inboxDir(env: Record<string, string | undefined>, cwd: string): string {
  const fromEnv = env.MAIL_INBOX
  if (fromEnv) return isAbsolute(fromEnv) ? fromEnv : resolve(cwd, fromEnv)
  return resolve(cwd, '.mail', 'inbox')
}

/**
 * A file name that sorts by arrival time: UTC timestamp to the millisecond, then a short random
 * id so that two messages in the same millisecond never collide.
 *
 * @example
 * messageFileName(new Date('2026-11-28T20:10:50.123Z'), 'ab12cd') // '20261128T201050123Z-ab12cd.eml'
 */
export function messageFileName(when: Date, id: string = randomBytes(3).toString('hex')): string {
  const stamp = when
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.(\d{3})Z$/, '$1Z')
  return `${stamp}-${id}.eml`
}

/**
 * Stores one received message exactly as its bytes arrived and returns the file's path. The file
 * is written under a temporary name and renamed, so a reader never sees half a message.
 */
export async function storeMessage(
  dir: string,
  raw: Uint8Array,
  when = new Date(),
): Promise<string> {
  await mkdir(dir, { recursive: true })
  const path = join(dir, messageFileName(when))
  const temp = `${path}.tmp`
  await writeFile(temp, raw, { flag: 'wx' })
  await rename(temp, path)
  return path
}

/**
 * One stored message as found on disk, before parsing.
 *
 * @example
 * const [oldest]: StoredFile[] = await listStored('.mail/inbox')
 */
export interface StoredFile {
  /** 1-based position in arrival order (oldest first). */
  index: number
  /** File name, e.g. `20261128T201050123Z-ab12cd.eml`. */
  name: string
  path: string
  size: number
}

/** Every stored message, oldest first. A missing inbox folder is an empty inbox. */
export async function listStored(dir: string): Promise<StoredFile[]> {
  let names: string[]
  try {
    names = await readdir(dir)
  } catch (err) {
    if ((err as { code?: string }).code === 'ENOENT') return []
    throw err
  }
  const emls = names.filter((n) => n.endsWith('.eml')).sort()
  return Promise.all(
    emls.map(async (name, i) => {
      const path = join(dir, name)
      return { index: i + 1, name, path, size: (await stat(path)).size }
    }),
  )
}

/**
 * Finds one message by its 1-based index in the listing or by a prefix of its file name.
 * Errors name what was looked for when nothing, or more than one message, matches.
 */
export async function findStored(dir: string, id: string): Promise<StoredFile> {
  const all = await listStored(dir)
  if (/^\d+$/.test(id)) {
    const n = Number(id)
    const byIndex = all[n - 1]
    if (n >= 1 && byIndex) return byIndex
  }
  const matches = all.filter((f) => f.name.startsWith(id))
  const [first] = matches
  if (!first) throw new CliError(`no message ${JSON.stringify(id)} in ${dir}`)
  if (matches.length > 1) {
    throw new CliError(
      `ambiguous message id ${JSON.stringify(id)}: matches ${matches.length} messages`,
    )
  }
  return first
}

/** Reads a stored message's bytes. */
export function readStored(file: StoredFile): Promise<Buffer> {
  return readFile(file.path)
}
