import { existsSync } from 'node:fs'
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sendmail } from '@mail/send'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { type Inbox, InboxError, startInbox } from '../src/index.js'

let inbox: Inbox
beforeEach(async () => {
  inbox = await startInbox({ dir: ':memory:', smtp: { port: 0 }, http: false })
})
afterEach(async () => {
  await inbox.close()
})

const send = (subject: string, to = 'bob@example.org', from = 'app@example.com') =>
  sendmail({ from, to, subject, text: subject }, inbox.smtpUrl)

describe('startInbox', () => {
  it('listens on loopback and says where', async () => {
    expect(inbox.smtpUrl).toMatch(/^smtp:\/\/127\.0\.0\.1:\d+$/)
    expect(inbox.httpUrl).toBeUndefined()
    expect(inbox.dir).toBe(':memory:')
  })

  it('keeps nothing on disk with dir :memory:', async () => {
    const cwd = await mkdtemp(join(tmpdir(), 'inbox-memory-'))
    const before = process.cwd()
    process.chdir(cwd)
    try {
      const memory = await startInbox({ dir: ':memory:', smtp: { port: 0 }, http: false })
      await sendmail({ from: 'a@example.com', to: 'b@example.org', text: 'x' }, memory.smtpUrl)
      expect(await memory.messages()).toHaveLength(1)
      await memory.close()
      expect(await readdir(cwd)).toEqual([])
    } finally {
      process.chdir(before)
      await rm(cwd, { recursive: true, force: true })
    }
  })

  it('refuses a bad option by name', async () => {
    await expect(startInbox({ limits: { maxMessageSize: 0 } })).rejects.toMatchObject({
      name: 'InboxError',
      field: 'limits.maxMessageSize',
    })
    await expect(startInbox({ limits: { maxSize: 5 } as never })).rejects.toMatchObject({
      field: 'limits.maxSize',
    })
    await expect(startInbox({ smtp: { port: 70000 } })).rejects.toMatchObject({
      field: 'smtp.port',
    })
    // Unknown keys are refused, not ignored (which would listen on the default ports).
    await expect(startInbox({ smtpPort: 0 } as never)).rejects.toMatchObject({
      name: 'InboxError',
      field: 'smtpPort',
      message: expect.stringContaining('use dir, smtp, http, limits, onError'),
    })
    await expect(startInbox({ http: { prot: 0 } as never })).rejects.toMatchObject({
      field: 'http.prot',
      message: expect.stringContaining('use http.host, http.port'),
    })
    expect(existsSync('.mail')).toBe(false)
  })
})

describe('messages', () => {
  it('lists newest first, filtered like the API', async () => {
    await send('One', 'bob@example.org')
    await send('Two', 'carol@example.org', 'shop@example.com')
    await send('Three', 'bob@example.org')
    expect((await inbox.messages()).map((m) => m.subject)).toEqual(['Three', 'Two', 'One'])
    expect((await inbox.messages({ to: 'BOB' })).map((m) => m.subject)).toEqual(['Three', 'One'])
    expect((await inbox.messages({ from: 'shop' })).map((m) => m.subject)).toEqual(['Two'])
    expect((await inbox.messages({ subject: 'o', to: 'bob' })).map((m) => m.subject)).toEqual([
      'One',
    ])
    await expect(inbox.messages({ too: 'bob' } as never)).rejects.toBeInstanceOf(InboxError)
  })

  it('gives each message its size in stored octets, exactly what was received', async () => {
    await send('Sized')
    const [m] = await inbox.messages()
    expect(m!.size).toBe((await inbox.raw(m!.id))!.length)
  })

  it('deletes one message, or all of them', async () => {
    await send('One')
    await send('Two')
    const [two, one] = await inbox.messages()
    expect(await inbox.delete(two!.id)).toBe(true)
    expect(await inbox.delete(two!.id)).toBe(false)
    expect(await inbox.message(one!.id)).toEqual(one)
    await inbox.clear()
    expect(await inbox.messages()).toEqual([])
    expect(await inbox.message(one!.id)).toBeUndefined()
  })
})

describe('waitFor', () => {
  it('resolves with a message sent after it was called', async () => {
    const waiting = inbox.waitFor({ to: 'late@example.org', timeoutMs: 5000 })
    await send('Not this one', 'other@example.org')
    await send('Late', 'late@example.org')
    expect((await waiting).subject).toBe('Late')
  })

  it('resolves at once with the oldest match already stored', async () => {
    await send('Reset 1', 'bob@example.org')
    await send('Reset 2', 'bob@example.org')
    expect((await inbox.waitFor({ subject: 'reset' })).subject).toBe('Reset 1')
  })

  it('matches to against Bcc recipients of the envelope, from, and subject together', async () => {
    await sendmail(
      {
        from: 'shop@example.com',
        to: 'bob@example.org',
        bcc: 'audit@example.net',
        subject: 'Receipt',
        text: 'x',
      },
      inbox.smtpUrl,
    )
    const found = await inbox.waitFor({ to: 'audit@', from: 'SHOP', subject: 'receipt' })
    expect(found.envelope.to).toEqual(['bob@example.org', 'audit@example.net'])
  })

  it('rejects at its timeout with an error naming the filter and the time', async () => {
    await send('Something else')
    await expect(inbox.waitFor({ to: 'nobody@', timeoutMs: 30 })).rejects.toThrow(
      'waitFor timed out after 30 ms: no message matching { to: "nobody@" }',
    )
  })

  it('stops waiting when its signal aborts, and refuses a bad filter or timeout', async () => {
    const stop = new AbortController()
    const waiting = inbox.waitFor({ subject: 'never', signal: stop.signal })
    stop.abort(new Error('test over'))
    await expect(waiting).rejects.toThrow('test over')
    await expect(inbox.waitFor({ subjet: 'x' } as never)).rejects.toMatchObject({
      field: 'filter.subjet',
    })
    await expect(inbox.waitFor({ timeoutMs: -1 })).rejects.toMatchObject({ field: 'timeoutMs' })
  })

  it('ends when the inbox closes', async () => {
    const closing = await startInbox({ dir: ':memory:', smtp: { port: 0 }, http: false })
    const waiting = closing.waitFor({ subject: 'never' })
    await closing.close()
    await expect(waiting).rejects.toThrow('the inbox was closed while waiting for a message')
  })
})

describe('subscribe', () => {
  it('announces every arrival and deletion until unsubscribed', async () => {
    const seen: string[] = []
    const stop = inbox.subscribe((e) =>
      seen.push(e.type === 'message' ? e.message.subject : `-${e.id}`),
    )
    await send('One')
    const [one] = await inbox.messages()
    await inbox.delete(one!.id)
    stop()
    await send('Two')
    expect(seen).toEqual(['One', `-${one!.id}`])
  })
})
