import { describe, expect, it } from 'vitest'
import { startPostfix } from '../src/index.js'
import { RawClient } from '../src/raw-client.js'

describe('startPostfix', () => {
  it('delivers a message for any recipient into the Maildir and stops completely', async () => {
    const postfix = await startPostfix()
    try {
      const c = await RawClient.open(postfix.port)
      expect(await c.reply()).toMatch(/^220 /)
      expect(await c.command('EHLO client.example')).toContain('SMTPUTF8')
      expect(await c.command('MAIL FROM:<a@example.com> SMTPUTF8')).toMatch(/^250/)
      expect(await c.command('RCPT TO:<bob@example.org>')).toMatch(/^250/)
      expect(await c.command('RCPT TO:<ü@bücher.example>')).toMatch(/^250/)
      expect(await c.command('DATA')).toMatch(/^354/)
      expect(await c.command('Subject: via postfix\r\n\r\n..dotted\r\n.')).toMatch(/^250/)
      await c.command('QUIT')
      c.close()
      const files = (await postfix.waitForDelivered(2)).map((f) => f.toString('utf8'))
      expect(files.some((f) => f.includes('Delivered-To: bob@example.org\n'))).toBe(true)
      expect(files.some((f) => f.includes('Delivered-To: ü@bücher.example\n'))).toBe(true)
      for (const f of files) expect(f).toMatch(/\nSubject: via postfix\n\n\.dotted\n$/)
    } finally {
      await postfix.stop()
    }
    await expect(RawClient.open(postfix.port)).rejects.toThrow(/ECONNREFUSED/)
  })
})
