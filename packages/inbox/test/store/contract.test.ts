import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { diskStore } from '../../src/store/disk.js'
import { memoryStore } from '../../src/store/memory.js'
import type { Store } from '../../src/store/types.js'

async function* chunks(...parts: (string | Uint8Array)[]) {
  for (const part of parts) yield typeof part === 'string' ? Buffer.from(part) : part
}

async function* failing(after: string, error: Error) {
  yield Buffer.from(after)
  throw error
}

const envelope = { from: 'a@example.com', to: ['b@example.org', 'hidden@example.net'] }

let root: string
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'inbox-store-'))
})
afterEach(async () => {
  await rm(root, { recursive: true, force: true })
})

// Each clock starts at a fixed instant, so two stores give the same ids.
const fixedClock = () => {
  let t = Date.parse('2026-11-28T20:10:50.000Z')
  return () => new Date(t++)
}

describe.each([
  ['on disk', () => diskStore(join(root, 'inbox'), fixedClock())],
  ['in memory', () => memoryStore(fixedClock())],
])('the store %s', (_, open: () => Store) => {
  it('keeps the exact bytes and the envelope, and lists ids newest first', async () => {
    const store = open()
    const raw = Buffer.from('Subject: \xe9\r\n\r\nbody\r\n', 'latin1')
    const first = await store.put(chunks(raw.subarray(0, 5), raw.subarray(5)), envelope)
    const second = await store.put(chunks('x'), { from: '', to: ['c@example.org'] })
    expect(first).toEqual({
      id: expect.stringMatching(/^20261128T201050000Z-[0-9a-f]{6}$/),
      receivedAt: new Date('2026-11-28T20:10:50.000Z'),
      envelope,
      size: raw.length,
    })
    expect(await store.read(first.id)).toEqual(raw)
    expect(await store.meta(first.id)).toEqual(first)
    expect(await store.ids()).toEqual([second.id, first.id])
  })

  it('keeps nothing of a message whose data fails', async () => {
    const store = open()
    await expect(store.put(failing('partial', new Error('too large')), envelope)).rejects.toThrow(
      'too large',
    )
    expect(await store.ids()).toEqual([])
  })

  it('removes one message, and knows nothing of ids it does not hold', async () => {
    const store = open()
    const { id } = await store.put(chunks('x'), envelope)
    expect(await store.remove(id)).toBe(true)
    expect(await store.remove(id)).toBe(false)
    for (const unknown of [id, '../../etc/passwd', '']) {
      expect(await store.read(unknown)).toBeUndefined()
      expect(await store.meta(unknown)).toBeUndefined()
    }
    expect(await store.ids()).toEqual([])
  })
})

describe('the store on disk', () => {
  it('writes the message and its envelope beside it, private to the user', async () => {
    const dir = join(root, '.mail', 'inbox')
    const store = diskStore(dir)
    const { id } = await store.put(chunks('Subject: x\r\n\r\nx\r\n'), envelope)
    expect((await readdir(dir)).sort()).toEqual([`${id}.eml`, `${id}.json`])
    expect(store.path(id)).toBe(join(dir, `${id}.eml`))
    for (const folder of [dir, join(root, '.mail')]) {
      expect((await stat(folder)).mode & 0o777).toBe(0o700)
    }
    for (const file of [`${id}.eml`, `${id}.json`]) {
      expect((await stat(join(dir, file))).mode & 0o777).toBe(0o600)
    }
  })

  it('leaves no temporary file behind a failed message', async () => {
    const dir = join(root, 'inbox')
    await expect(diskStore(dir).put(failing('x', new Error('gone')), envelope)).rejects.toThrow()
    expect(await readdir(dir)).toEqual([])
  })

  it('reads a folder filled by hand: a missing folder is empty, odd names are skipped', async () => {
    const dir = join(root, 'inbox')
    const store = diskStore(dir)
    expect(await store.ids()).toEqual([])
    await store.put(chunks('x'), envelope)
    await writeFile(join(dir, 'notes.txt'), 'x')
    await writeFile(join(dir, '.hidden.eml'), 'x')
    await writeFile(join(dir, 'copied by hand.eml'), 'x')
    await writeFile(join(dir, 'copied-by-hand.eml'), 'Subject: hand\r\n\r\nx\r\n')
    const ids = await store.ids()
    expect(ids).toEqual(['copied-by-hand', expect.stringMatching(/^\d{8}T/)])
    // Without an envelope file: an empty envelope, the file's time as arrival.
    expect(await store.meta('copied-by-hand')).toEqual({
      id: 'copied-by-hand',
      receivedAt: (await stat(join(dir, 'copied-by-hand.eml'))).mtime,
      envelope: { from: '', to: [] },
      size: 20,
    })
  })
})
