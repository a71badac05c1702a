import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sendmail } from '@mail/send'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { readInbox, startInbox } from '../src/index.js'

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'inbox-reader-'))
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('readInbox', () => {
  it('reads what a running inbox stored, without running one', async () => {
    const inbox = await startInbox({ dir, smtp: { port: 0 }, http: false })
    await sendmail(
      {
        from: 'a@example.com',
        to: 'b@example.org',
        subject: 'Kept',
        text: 'x',
        attachments: [{ filename: 'a.bin', content: new Uint8Array([1, 2, 3]) }],
      },
      inbox.smtpUrl,
    )
    const stored = await inbox.messages()
    await inbox.close()

    const reader = readInbox(dir)
    const [id] = await reader.ids()
    expect(await reader.messages()).toEqual(stored)
    expect(await reader.messages({ subject: 'other' })).toEqual([])
    expect(reader.path(id!)).toBe(join(dir, `${id}.eml`))
    expect((await reader.attachments(id!))?.map((c) => [...c])).toEqual([[1, 2, 3]])
    expect(await reader.message('20990101T000000000Z-abcdef')).toBeUndefined()
    expect(await reader.attachments('../x')).toBeUndefined()
  })
})
