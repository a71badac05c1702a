import { MimeError } from '@mail/mime'
import { SmtpError } from '@mail/smtp'
import { parseWithPython, startAiosmtpd, startPostfix, startSmtpSink } from '@mail/testkit'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { SendError } from '../src/errors.js'
import { sendmail } from '../src/sendmail.js'
import { createTestTransport } from '../src/test-transport.js'
import { createTransport } from '../src/transport.js'

afterEach(() => {
  vi.unstubAllEnvs()
})

// A 1x1 PNG and binary attachment bytes covering every octet value.
const png = Uint8Array.from(
  atob(
    'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  ),
  (c) => c.charCodeAt(0),
)
const binary = Uint8Array.from({ length: 3000 }, (_, i) => (i * 7 + (i >> 8)) % 256)

describe('sendmail end to end', () => {
  it('delivers text, html, an inline image and two attachments through Postfix intact', async () => {
    const postfix = await startPostfix()
    try {
      const info = await sendmail(
        {
          from: 'Zoë Sender <sender@example.com>',
          to: ['Rcpt One <one@example.org>', 'two@example.org'],
          cc: 'cc@example.net',
          subject:
            'Quarterly report — ünïcödé and a long subject line that will be folded somewhere',
          text: 'Hello,\nplease find the report attached.\n\n-- \nZoë\n',
          html: '<p>Hello, <b>please</b> find the report attached.</p><img src="cid:logo@example.com">',
          attachments: [
            { filename: 'logo.png', content: png, cid: 'logo@example.com' },
            { filename: 'report.bin', content: binary, contentType: 'application/octet-stream' },
            { filename: 'notes — é.txt', content: 'line one\nline two ✓\n' },
          ],
        },
        { host: postfix.host, port: postfix.port, security: 'none' },
      )
      expect(info.accepted).toEqual(['one@example.org', 'two@example.org', 'cc@example.net'])
      expect(info.rejected).toEqual([])
      expect(info.response).toMatch(/^250/)
      const delivered = await postfix.waitForDelivered(3)
      expect(delivered).toHaveLength(3)
      const parsed = await parseWithPython(delivered[0]!)
      expect(parsed.messageId).toBe(info.messageId)
      expect(parsed.subject).toBe(
        'Quarterly report — ünïcödé and a long subject line that will be folded somewhere',
      )
      expect(parsed.from).toEqual([{ name: 'Zoë Sender', address: 'sender@example.com' }])
      expect(parsed.to).toEqual([
        { name: 'Rcpt One', address: 'one@example.org' },
        { name: '', address: 'two@example.org' },
      ])
      expect(parsed.cc).toEqual([{ name: '', address: 'cc@example.net' }])
      expect(parsed.text?.replace(/\r\n/g, '\n')).toBe(
        'Hello,\nplease find the report attached.\n\n-- \nZoë\n',
      )
      expect(parsed.html).toContain('<b>please</b>')
      expect(parsed.attachments).toHaveLength(3)
      const [logo, report, notes] = parsed.attachments
      expect(logo).toMatchObject({ contentType: 'image/png', cid: 'logo@example.com' })
      expect(new Uint8Array(logo!.content)).toEqual(png)
      expect(report).toMatchObject({ filename: 'report.bin', disposition: 'attachment' })
      expect(new Uint8Array(report!.content)).toEqual(binary)
      expect(notes!.filename).toBe('notes — é.txt')
      expect(notes!.content.toString('utf8').replace(/\r\n/g, '\n')).toBe('line one\nline two ✓\n')
    } finally {
      await postfix.stop()
    }
  })

  it('sends over STARTTLS with AUTH given a URL with a percent-encoded password and a CA', async () => {
    const pass = 'p@ss:w/rd?#%&é'
    const server = await startAiosmtpd({
      security: 'starttls',
      requireStarttls: true,
      auth: { user: 'me@example.com', pass },
    })
    try {
      const url = `smtp://${encodeURIComponent('me@example.com')}:${encodeURIComponent(pass)}@localhost:${server.port}?security=starttls`
      const info = await sendmail(
        { from: 'me@example.com', to: 'you@example.org', subject: 'Over TLS', text: 'secret' },
        { url, tls: { ca: server.ca } },
      )
      expect(info.accepted).toEqual(['you@example.org'])
      const [received] = await server.waitFor(1)
      expect(received!.mailFrom).toBe('me@example.com')
      expect(received!.rcptTos).toEqual(['you@example.org'])
      expect(received!.data.toString('latin1')).toContain(`Message-ID: ${info.messageId}`)
    } finally {
      await server.stop()
    }
  })

  it('rejects a wrong password with SmtpError 535 whose message does not contain the password', async () => {
    const server = await startAiosmtpd({
      security: 'starttls',
      auth: { user: 'me', pass: 'right-password' },
    })
    try {
      const wrong = 'Wr0ng-Pa55word'
      const error = await sendmail(
        { from: 'me@example.com', to: 'you@example.org', text: 'x' },
        {
          host: 'localhost',
          port: server.port,
          auth: { user: 'me', pass: wrong },
          tls: { ca: server.ca },
        },
      ).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(SmtpError)
      expect((error as SmtpError).code).toBe(535)
      expect((error as SmtpError).permanent).toBe(true)
      expect(String((error as Error).message)).not.toContain(wrong)
      expect(JSON.stringify(error)).not.toContain(wrong)
      expect(await server.received()).toEqual([])
    } finally {
      await server.stop()
    }
  })

  it('throws MimeError for a bad message before opening any connection', async () => {
    const sink = await startSmtpSink()
    try {
      const bad = {
        from: 'me@example.com',
        to: 'you@example.org',
        subject: 'a\r\nBcc: x@example.com',
      }
      await expect(sendmail(bad, `smtp://127.0.0.1:${sink.port}?security=none`)).rejects.toThrow(
        MimeError,
      )
      await expect(sendmail(bad, 'smtp://:0')).rejects.toThrow(MimeError)
      expect(sink.connections).toBe(0)
    } finally {
      await sink.stop()
    }
  })

  it('uses SMTP_URL when no transport is given, and says so when it is missing', async () => {
    const server = await startAiosmtpd()
    try {
      vi.stubEnv('SMTP_URL', `smtp://127.0.0.1:${server.port}?security=none`)
      const info = await sendmail({ from: 'a@example.com', to: 'b@example.org', text: 'env' })
      expect(info.accepted).toEqual(['b@example.org'])
      expect(await server.waitFor(1)).toHaveLength(1)
      vi.stubEnv('SMTP_URL', '')
      await expect(sendmail({ from: 'a@example.com', to: 'b@example.org' })).rejects.toThrow(
        /SMTP_URL/,
      )
    } finally {
      await server.stop()
    }
  })

  it('sends to the explicit envelope, not to the header addresses', async () => {
    const server = await startAiosmtpd()
    try {
      const envelope = { from: 'bounces@example.com', to: ['hidden@example.net'] }
      const info = await sendmail(
        { from: 'a@example.com', to: 'b@example.org', text: 'x', envelope },
        `smtp://127.0.0.1:${server.port}?security=none`,
      )
      expect(info.envelope).toEqual(envelope)
      const [received] = await server.waitFor(1)
      expect(received!.mailFrom).toBe('bounces@example.com')
      expect(received!.rcptTos).toEqual(['hidden@example.net'])
      expect(received!.data.toString('latin1')).toContain('To: b@example.org')
    } finally {
      await server.stop()
    }
  })

  it('rejects an already aborted send with the abort reason and connects nowhere', async () => {
    const sink = await startSmtpSink()
    try {
      const controller = new AbortController()
      controller.abort()
      const error = await sendmail(
        { from: 'a@example.com', to: 'b@example.org', text: 'x' },
        `smtp://127.0.0.1:${sink.port}?security=none`,
        { signal: controller.signal },
      ).catch((e: unknown) => e)
      expect(error).toMatchObject({ name: 'AbortError' })
      expect(sink.connections).toBe(0)
    } finally {
      await sink.stop()
    }
  })

  it('reports a missing transport as a SendError naming it', async () => {
    vi.stubEnv('SMTP_URL', '')
    const error = await sendmail({ from: 'a@example.com', to: 'b@example.org' }).catch((e) => e)
    expect(error).toBeInstanceOf(SendError)
    expect(error.field).toBe('transport')
  })

  it('sends through a transport object given instead of options, and leaves it open', async () => {
    const test = createTestTransport()
    const info = await sendmail({ from: 'a@example.com', to: 'b@example.org', text: 'x' }, test)
    expect(test.messages.map((m) => m.info)).toEqual([info])
    const sink = await startSmtpSink()
    try {
      await using transport = createTransport(`smtp://127.0.0.1:${sink.port}?security=none`)
      await sendmail({ from: 'a@example.com', to: 'b@example.org', text: 'one' }, transport)
      await sendmail({ from: 'a@example.com', to: 'b@example.org', text: 'two' }, transport)
      expect(sink.accepted).toHaveLength(2)
      expect(sink.connections).toBe(1)
      expect(sink.quits).toBe(0)
    } finally {
      await sink.stop()
    }
  })
})
