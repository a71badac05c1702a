import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sendmail } from '@mail/send'
import { SmtpClient } from '@mail/smtp'
import { parseWithPython } from '@mail/testkit'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { type DeliveredMessage, startInboxServer } from '../../src/inbox/server.js'
import { listStored } from '../../src/inbox/store.js'

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mailx-server-'))
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('startInboxServer', () => {
  it('stores a message sent with @mail/send and reports its path and envelope', async () => {
    const delivered: DeliveredMessage[] = []
    const inbox = await startInboxServer({ dir, onMessage: (m) => delivered.push(m) })
    try {
      const info = await sendmail(
        {
          from: 'me@example.com',
          to: 'you@example.com',
          bcc: 'hidden@example.com',
          subject: 'Stored',
          text: 'Kept as sent',
          attachments: [{ filename: 'a.bin', content: new Uint8Array([0, 1, 2, 255]) }],
        },
        { host: inbox.host, port: inbox.port, security: 'none' },
      )
      expect(info.accepted).toEqual(['you@example.com', 'hidden@example.com'])
      expect(info.response).toMatch(/^250 .*Stored as \d{8}T\d{9}Z-[0-9a-f]{6}\.eml/)
      expect(delivered).toHaveLength(1)
      expect(delivered[0]!.envelope).toEqual({
        from: 'me@example.com',
        to: ['you@example.com', 'hidden@example.com'],
      })
      const [file] = await listStored(dir)
      expect(file!.path).toBe(delivered[0]!.path)
      const parsed = await parseWithPython(await readFile(file!.path))
      expect(parsed.subject).toBe('Stored')
      expect(parsed.attachments[0]!.content).toEqual(Buffer.from([0, 1, 2, 255]))
    } finally {
      await inbox.close()
    }
  })

  it('stores the exact bytes of the DATA, dot-stuffed lines restored', async () => {
    const inbox = await startInboxServer({ dir })
    try {
      const raw = 'From: a@example.com\r\nTo: b@example.com\r\n\r\n.leading dot\r\nlast\r\n'
      const client = await SmtpClient.connect({
        host: inbox.host,
        port: inbox.port,
        security: 'none',
      })
      await client.send({ from: 'a@example.com', to: ['b@example.com'] }, raw)
      await client.quit()
      const [file] = await listStored(dir)
      expect((await readFile(file!.path)).toString()).toBe(raw)
    } finally {
      await inbox.close()
    }
  })

  it('offers no STARTTLS but accepts any AUTH credentials', async () => {
    const inbox = await startInboxServer({ dir })
    try {
      const client = await SmtpClient.connect({
        host: inbox.host,
        port: inbox.port,
        security: 'none',
        auth: { user: 'anyone', pass: 'anything' },
      })
      expect(client.capabilities.extensions.STARTTLS).toBeUndefined()
      expect(client.authenticated).toBe(true)
      await client.quit()
    } finally {
      await inbox.close()
    }
  })

  it('answers 451 and reports the error when the message cannot be stored', async () => {
    const notADir = join(dir, 'file')
    await writeFile(notADir, 'x')
    const errors: Error[] = []
    const inbox = await startInboxServer({ dir: notADir, onStoreError: (e) => errors.push(e) })
    try {
      const client = await SmtpClient.connect({
        host: inbox.host,
        port: inbox.port,
        security: 'none',
      })
      await expect(
        client.send({ from: 'a@example.com', to: ['b@example.com'] }, 'Subject: x\r\n\r\nx\r\n'),
      ).rejects.toMatchObject({ name: 'SmtpError', code: 451, transient: true })
      client.close()
      expect(errors).toHaveLength(1)
    } finally {
      await inbox.close()
    }
  })

  it('rejects with EADDRINUSE when the port is taken', async () => {
    const blocker = createServer()
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve))
    const { port } = blocker.address() as { port: number }
    try {
      await expect(startInboxServer({ dir, port })).rejects.toMatchObject({ code: 'EADDRINUSE' })
    } finally {
      await new Promise<void>((resolve) => blocker.close(() => resolve()))
    }
  })
})
