import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createTransport } from '@mail/send'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Inbox, startInbox } from '../src/index.js'

let dir: string
let inbox: Inbox
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'inbox-load-'))
  inbox = await startInbox({ dir, smtp: { port: 0 }, http: { port: 0 } })
})
afterAll(async () => {
  await inbox.close()
  await rm(dir, { recursive: true, force: true })
})

describe('under load', () => {
  it('lists every one of 1,000 messages sent through a pool of 4 connections', async () => {
    const count = 1000
    const transport = createTransport({ url: inbox.smtpUrl, pool: { maxConnections: 4 } })
    const messages = Array.from({ length: count }, (_, i) => ({
      from: 'load@example.com',
      to: `user${i % 7}@example.org`,
      subject: `Load ${i}`,
      text: `Message number ${i}`,
    }))
    const failures: unknown[] = []
    try {
      for await (const result of transport.sendMany(messages)) {
        if ('error' in result) failures.push(result.error)
      }
    } finally {
      await transport.close()
    }
    expect(failures).toEqual([])
    const listed = (await (await fetch(`${inbox.httpUrl}/api/messages`)).json()) as {
      subject: string
    }[]
    expect(listed).toHaveLength(count)
    expect(new Set(listed.map((m) => m.subject))).toEqual(new Set(messages.map((m) => m.subject)))
    expect((await readdir(dir)).filter((n) => n.endsWith('.eml'))).toHaveLength(count)
  })
})
