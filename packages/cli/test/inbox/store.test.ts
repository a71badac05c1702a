import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  findStored,
  inboxDir,
  listStored,
  messageFileName,
  storeMessage,
} from '../../src/inbox/store.js'

describe('inboxDir', () => {
  it('is .mail/inbox under the working directory by default', () => {
    expect(inboxDir({}, '/home/me/project')).toBe('/home/me/project/.mail/inbox')
  })

  it('follows MAIL_INBOX, relative to the working directory when relative', () => {
    expect(inboxDir({ MAIL_INBOX: '/tmp/box' }, '/w')).toBe('/tmp/box')
    expect(inboxDir({ MAIL_INBOX: 'box' }, '/w')).toBe('/w/box')
  })
})

describe('messageFileName', () => {
  it('is the UTC time to the millisecond then the short id', () => {
    expect(messageFileName(new Date('2026-11-28T20:10:50.123Z'), 'ab12cd')).toBe(
      '20261128T201050123Z-ab12cd.eml',
    )
  })

  it('sorts in time order whatever the ids', () => {
    const date = fc.date({
      min: new Date('2000-01-01'),
      max: new Date('2999-12-31'),
      noInvalidDate: true,
    })
    const id = fc.stringMatching(/^[0-9a-f]{6}$/)
    fc.assert(
      fc.property(date, date, id, id, (a, b, ia, ib) => {
        fc.pre(a.getTime() !== b.getTime())
        const [na, nb] = [messageFileName(a, ia), messageFileName(b, ib)]
        expect(na < nb).toBe(a < b)
      }),
    )
  })
})

describe('the store', () => {
  let dir: string
  beforeEach(async () => {
    dir = join(await mkdtemp(join(tmpdir(), 'mailx-store-')), 'inbox')
  })
  afterEach(async () => {
    await rm(join(dir, '..'), { recursive: true, force: true })
  })

  it('treats a missing folder as an empty inbox', async () => {
    expect(await listStored(dir)).toEqual([])
  })

  it('stores the exact bytes and lists messages oldest first with 1-based numbers', async () => {
    const raw = Buffer.from('Subject: \xe9\r\n\r\nbody\r\n', 'latin1')
    const later = await storeMessage(dir, raw, new Date('2026-01-02T00:00:00Z'))
    const earlier = await storeMessage(dir, Buffer.from('x'), new Date('2026-01-01T00:00:00Z'))
    expect(await readFile(later)).toEqual(raw)
    const list = await listStored(dir)
    expect(list.map((f) => [f.index, f.path, f.size])).toEqual([
      [1, earlier, 1],
      [2, later, raw.length],
    ])
  })

  it('ignores files that are not .eml', async () => {
    await storeMessage(dir, Buffer.from('x'))
    await writeFile(join(dir, 'notes.txt'), 'x')
    expect((await listStored(dir)).map((f) => f.name)).toEqual([expect.stringMatching(/\.eml$/)])
  })

  it('finds a message by number or by a unique file name prefix', async () => {
    const a = await storeMessage(dir, Buffer.from('a'), new Date('2026-01-01T00:00:00Z'))
    const b = await storeMessage(dir, Buffer.from('b'), new Date('2026-02-01T00:00:00Z'))
    expect((await findStored(dir, '2')).path).toBe(b)
    expect((await findStored(dir, '202601')).path).toBe(a)
  })

  it('names the ID when nothing or several messages match', async () => {
    await storeMessage(dir, Buffer.from('a'), new Date('2026-01-01T00:00:00Z'))
    await storeMessage(dir, Buffer.from('b'), new Date('2026-02-01T00:00:00Z'))
    await expect(findStored(dir, '9')).rejects.toThrow(/no message "9"/)
    await expect(findStored(dir, '2026')).rejects.toThrow(/ambiguous message id "2026": matches 2/)
  })
})
