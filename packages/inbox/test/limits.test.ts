import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sendmail } from '@mail/send'
import { RawClient } from '@mail/testkit'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  DEFAULT_MAX_MESSAGE_SIZE,
  type Inbox,
  type InboxOptions,
  startInbox,
} from '../src/index.js'

let dir: string
let inbox: Inbox
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'inbox-limits-'))
})
afterEach(async () => {
  await inbox?.close()
  await rm(dir, { recursive: true, force: true })
})

const portOf = (i: Inbox) => Number(new URL(i.smtpUrl).port)

/** Starts an SMTP-only inbox with these limits and opens a raw client past its greeting. */
async function greeted(limits: NonNullable<InboxOptions['limits']>): Promise<RawClient> {
  inbox = await startInbox({ dir, smtp: { port: 0 }, http: false, limits })
  const s = await RawClient.open(portOf(inbox))
  await s.reply()
  return s
}

describe('the size limit', () => {
  it('is a few tens of MB unless set, and advertised as SIZE', async () => {
    expect(DEFAULT_MAX_MESSAGE_SIZE).toBe(25 * 1024 * 1024)
    const s = await greeted({ maxMessageSize: 1000 })
    expect(await s.command('EHLO client.example')).toMatch(/^250[- ]SIZE 1000\r$/m)
    s.close()
  })

  it('refuses a message over the declared limit with 552 at MAIL FROM, storing nothing', async () => {
    const s = await greeted({ maxMessageSize: 1000 })
    await s.command('EHLO client.example')
    expect(await s.command('MAIL FROM:<a@example.com> SIZE=1001')).toMatch(/^552 /)
    s.close()
    // A client that reads SIZE does not even try; within the limit it goes through.
    const message = { from: 'a@example.com', to: 'b@example.org', text: 'x'.repeat(2000) }
    await expect(sendmail(message, inbox.smtpUrl)).rejects.toThrow(/\b1000\b/)
    await sendmail({ ...message, text: 'small' }, inbox.smtpUrl)
    expect((await inbox.messages()).map((m) => m.text)).toEqual(['small\n'])
  })

  it('refuses 552 after the data when the client never declared the size, and keeps nothing of it', async () => {
    const s = await greeted({ maxMessageSize: 1000 })
    s.write(
      'EHLO client.example\r\nMAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.org>\r\nDATA\r\n',
    )
    for (const code of ['250', '250', '250', '354'])
      expect((await s.reply()).slice(0, 3)).toBe(code)
    const line = `${'y'.repeat(998)}\r\n`
    s.write(`Subject: big\r\n\r\n${line.repeat(200)}.\r\n`)
    expect(await s.reply()).toMatch(/^552 /)
    // The session goes on: the next message, within the limit, is stored.
    s.write('MAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.org>\r\nDATA\r\n')
    for (const code of ['250', '250', '354']) expect((await s.reply()).slice(0, 3)).toBe(code)
    s.write('Subject: small\r\n\r\nok\r\n.\r\n')
    expect(await s.reply()).toMatch(/^250 /)
    s.close()
    expect((await inbox.messages()).map((m) => m.subject)).toEqual(['small'])
    expect((await readdir(dir)).filter((n) => !/\.(eml|json)$/.test(n))).toEqual([])
  })
})

describe('the connection limit', () => {
  it('greets at most maxConnections clients among 400 idle ones; the rest get 421', async () => {
    inbox = await startInbox({
      dir,
      smtp: { port: 0 },
      http: false,
      limits: { maxConnections: 10 },
    })
    const clients = await Promise.all(
      Array.from({ length: 400 }, () => RawClient.open(portOf(inbox))),
    )
    const greetings = await Promise.all(clients.map((c) => c.reply()))
    const greeted = clients.filter((_, i) => greetings[i]!.startsWith('220 '))
    const refused = clients.filter((_, i) => greetings[i]!.startsWith('421 '))
    expect(greeted).toHaveLength(10)
    expect(refused).toHaveLength(390)
    // Refused clients are disconnected; the greeted ones hold their places until they leave.
    await Promise.all(refused.map((c) => c.closed()))
    const late = await RawClient.open(portOf(inbox))
    expect(await late.reply()).toMatch(/^421 /)
    await Promise.all(
      greeted.map(async (c) => {
        expect(await c.command('QUIT')).toMatch(/^221 /)
        await c.closed()
      }),
    )
    // Once they have left, a newcomer is greeted again.
    const next = await RawClient.open(portOf(inbox))
    expect(await next.reply()).toMatch(/^220 /)
    next.close()
  })
})
