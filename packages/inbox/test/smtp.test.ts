import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sendmail } from '@mail/send'
import { parseWithPython, RawClient } from '@mail/testkit'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { type Inbox, type InboxEvent, startInbox } from '../src/index.js'

let dir: string
let inbox: Inbox | undefined
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'inbox-smtp-'))
})
afterEach(async () => {
  await inbox?.close()
  inbox = undefined
  await rm(dir, { recursive: true, force: true })
})

const start = async (options: Parameters<typeof startInbox>[0] = {}) => {
  inbox = await startInbox({ dir, smtp: { port: 0 }, http: false, ...options })
  return inbox
}
const portOf = (i: Inbox) => Number(new URL(i.smtpUrl).port)

/** Greeting, EHLO, MAIL, RCPT and DATA: a session ready for the message's bytes. */
async function openData(i: Inbox) {
  const s = await RawClient.open(portOf(i))
  expect(await s.reply()).toMatch(/^220 /)
  expect(await s.command('EHLO client.example')).toMatch(/^250 /m)
  expect(await s.command('MAIL FROM:<a@example.com>')).toMatch(/^250 /)
  expect(await s.command('RCPT TO:<b@example.com>')).toMatch(/^250 /)
  expect(await s.command('DATA')).toMatch(/^354 /)
  return s
}

describe('the SMTP side', () => {
  it('stores a message sent with @mail/send, its envelope beside it, and announces it', async () => {
    const events: InboxEvent[] = []
    const i = await start()
    i.subscribe((e) => events.push(e))
    const info = await sendmail(
      {
        from: 'me@example.com',
        to: 'you@example.com',
        bcc: 'hidden@example.com',
        subject: 'Stored',
        text: 'Kept as sent',
        attachments: [{ filename: 'a.bin', content: new Uint8Array([0, 1, 2, 255]) }],
      },
      i.smtpUrl,
    )
    expect(info.accepted).toEqual(['you@example.com', 'hidden@example.com'])
    expect(info.response).toMatch(/^250 .*Stored as \d{8}T\d{9}Z-[0-9a-f]{6}\.eml/)
    const [message] = await i.messages()
    expect(events).toEqual([{ type: 'message', message }])
    expect(message!.envelope).toEqual({
      from: 'me@example.com',
      to: ['you@example.com', 'hidden@example.com'],
    })
    const sidecar = JSON.parse(await readFile(join(dir, `${message!.id}.json`), 'utf8'))
    expect(sidecar).toEqual({ receivedAt: message!.receivedAt, envelope: message!.envelope })
    const parsed = await parseWithPython(await readFile(join(dir, `${message!.id}.eml`)))
    expect(parsed.subject).toBe('Stored')
    expect(parsed.attachments[0]!.content).toEqual(Buffer.from([0, 1, 2, 255]))
  })

  it('stores the exact bytes of the DATA, dot-stuffed lines restored, nothing added', async () => {
    const i = await start()
    const raw = 'From: a@example.com\r\nTo: b@example.com\r\n\r\n.leading dot\r\nlast\r\n'
    const s = await openData(i)
    // RFC 5321 4.5.2: the client doubles a leading dot; the server takes it away again.
    s.write(`${raw.replace('\r\n.leading', '\r\n..leading')}.\r\n`)
    expect(await s.reply()).toMatch(/^250 /)
    s.close()
    const [message] = await i.messages()
    expect(Buffer.from((await i.raw(message!.id))!).toString()).toBe(raw)
    expect(message!.size).toBe(Buffer.byteLength(raw))
  })

  it('offers no STARTTLS but accepts any AUTH credentials', async () => {
    const i = await start()
    const s = await RawClient.open(portOf(i))
    await s.reply()
    const ehlo = await s.command('EHLO client.example')
    expect(ehlo).toMatch(/^250-AUTH /m)
    expect(ehlo).not.toMatch(/STARTTLS/)
    const plain = Buffer.from('\0anyone\0anything').toString('base64')
    expect(await s.command(`AUTH PLAIN ${plain}`)).toMatch(/^235 /)
    s.close()
  })

  it('answers 451 and reports the error when the message cannot be stored', async () => {
    const box = join(dir, 'box')
    const errors: Error[] = []
    const i = await start({ dir: box, onError: (e) => errors.push(e) })
    // The folder turns into a file while the inbox runs: nothing can be stored any more.
    await rm(box, { recursive: true })
    await writeFile(box, 'x')
    const s = await openData(i)
    s.write('Subject: x\r\n\r\nx\r\n.\r\n')
    expect(await s.reply()).toMatch(/^451 .*Could not store message/)
    s.close()
    expect(errors).toHaveLength(1)
    expect(await readdir(dir)).toEqual(['box'])
  })

  it('does not start on a folder that is a file', async () => {
    const file = join(dir, 'file')
    await writeFile(file, 'x')
    await expect(start({ dir: file })).rejects.toMatchObject({ code: 'ENOTDIR' })
  })

  it('rejects with EADDRINUSE when the port is taken', async () => {
    const blocker = createServer()
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve))
    const { port } = blocker.address() as { port: number }
    try {
      await expect(start({ smtp: { port } })).rejects.toMatchObject({ code: 'EADDRINUSE' })
    } finally {
      await new Promise<void>((resolve) => blocker.close(() => resolve()))
    }
  })
})

describe('another writer on the same folder', () => {
  it('is seen: its messages and deletions are announced once each', async () => {
    const i = await start()
    const events: InboxEvent[] = []
    const next = () =>
      new Promise<InboxEvent>((resolve) => {
        const stop = i.subscribe((e) => {
          stop()
          resolve(e)
        })
      })
    i.subscribe((e) => events.push(e))
    // What `mailx send` does while `mailx serve` runs: its own short-lived inbox on the folder.
    const other = await startInbox({ dir, smtp: { port: 0 }, http: false })
    try {
      const arrived = next()
      await sendmail(
        { from: 'a@example.com', to: 'b@example.org', subject: 'Elsewhere', text: 'x' },
        other.smtpUrl,
      )
      const event = await arrived
      expect(event).toMatchObject({ type: 'message', message: { subject: 'Elsewhere' } })
      const id = (event as { message: { id: string } }).message.id
      const gone = next()
      await other.delete(id)
      expect(await gone).toEqual({ type: 'delete', id })
      // Its own arrivals are still announced once, whatever the folder's watcher saw meanwhile.
      const own = next()
      await sendmail(
        { from: 'a@example.com', to: 'b@example.org', subject: 'Here', text: 'x' },
        i.smtpUrl,
      )
      await own
      const last = next()
      await i.clear()
      await last
      expect(events.map((e) => (e.type === 'message' ? e.message.subject : 'delete'))).toEqual([
        'Elsewhere',
        'delete',
        'Here',
        'delete',
      ])
    } finally {
      await other.close()
    }
  })
})
