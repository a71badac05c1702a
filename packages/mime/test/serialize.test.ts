import { describe, expect, test } from 'vitest'
import { buildMessage, composeMessage, type MessageInput } from '../src/index.js'

const fixed = {
  boundary: (i: number) => `=_b${i}`,
  messageIdRandom: () => 'fixed',
  now: () => new Date('2026-11-28T20:10:50Z'),
}
const base: MessageInput = { from: 'alice@example.com', to: 'bob@example.org' }

const lines = (raw: string) => raw.split('\r\n')
const headerBlock = (raw: string) => raw.slice(0, raw.indexOf('\r\n\r\n'))

describe('buildMessage output', () => {
  test('is byte-identical for the same input in deterministic mode', () => {
    const input: MessageInput = { ...base, text: 't', html: 'h', attachments: [{ content: 'x' }] }
    expect(buildMessage(input, fixed)).toBe(buildMessage(input, fixed))
  })

  test('has only CRLF line endings and no line over 998 octets, whatever the input', () => {
    const raw = buildMessage({
      ...base,
      subject: 'x'.repeat(2000),
      text: `a\rb\nc\r\n${'y'.repeat(5000)}\n\r`,
      html: `<p>${'z '.repeat(3000)}</p>\r\r`,
      headers: { 'X-Long': 'w '.repeat(1000) },
      attachments: [{ filename: `${'f'.repeat(300)}.txt`, content: 'q\n'.repeat(100) }],
    })
    expect(raw).not.toMatch(/\r(?!\n)|(?<!\r)\n/)
    for (const line of lines(raw)) expect(line.length).toBeLessThanOrEqual(998)
  })

  test('ends every message with CRLF, single parts included, without adding to a body that has one', () => {
    const shapes: MessageInput[] = [
      { ...base, text: 'hi' },
      { ...base, text: 'Grüße' },
      { ...base, text: 'ends with a newline\n' },
      { ...base, attachments: [{ content: new Uint8Array([0, 1, 2, 255]) }] },
      { ...base, text: 't', html: 'h' },
      { ...base },
    ]
    for (const input of shapes) expect(buildMessage(input, fixed)).toMatch(/\r\n$/)
    expect(buildMessage({ ...base, text: 'a\n' }, fixed)).toMatch(/\r\n\r\na\r\n$/)
    expect(buildMessage({ ...base, text: 'a' }, fixed)).toMatch(/\r\n\r\na\r\n$/)
  })

  test('never writes Bcc', () => {
    const raw = buildMessage({ ...base, bcc: 'secret@example.net', text: 'x' })
    expect(raw).not.toMatch(/bcc|secret/i)
  })

  test('writes Date in RFC 5322 format and a generated Message-ID at the sender domain', () => {
    const { raw, messageId } = composeMessage({ ...base, from: 'a@bücher.example' }, fixed)
    expect(raw).toContain('\r\nDate: Sat, 28 Nov 2026 20:10:50 +0000\r\n'.slice(2))
    expect(messageId).toBe('<fixed@xn--bcher-kva.example>')
    expect(raw).toContain(`Message-ID: ${messageId}\r\n`)
    const random = composeMessage(base).messageId
    expect(random).toMatch(/^<[0-9a-f]{32}@example\.com>$/)
    expect(composeMessage(base).messageId).not.toBe(random)
  })

  test('uses a given date and Message-ID, with or without brackets', () => {
    const raw = buildMessage({
      ...base,
      date: new Date('2027-01-05T03:04:05Z'),
      messageId: 'given@example.com',
      inReplyTo: 'parent@example.com',
      references: ['<root@example.com>', 'parent@example.com'],
    })
    expect(raw).toContain('Date: Tue, 5 Jan 2027 03:04:05 +0000\r\n')
    expect(raw).toContain('Message-ID: <given@example.com>\r\n')
    expect(raw).toContain('In-Reply-To: <parent@example.com>\r\n')
    expect(raw).toContain('References: <root@example.com> <parent@example.com>\r\n')
  })

  test('writes MIME-Version, custom and repeated headers, List-Unsubscribe with one-click', () => {
    const raw = buildMessage({
      ...base,
      headers: { 'X-Tag': ['a', 'b'], 'List-Id': '<list.example.com>' },
      listUnsubscribe: { url: 'https://example.com/u?id=1', mailto: 'unsub@example.com' },
    })
    const head = headerBlock(raw)
    expect(head).toContain('MIME-Version: 1.0')
    expect(head).toContain('X-Tag: a\r\nX-Tag: b')
    expect(head).toContain('List-Id: <list.example.com>')
    expect(head).toContain(
      'List-Unsubscribe: <https://example.com/u?id=1>, <mailto:unsub@example.com>',
    )
    expect(head).toContain('List-Unsubscribe-Post: List-Unsubscribe=One-Click')
    const mailOnly = buildMessage({ ...base, listUnsubscribe: { mailto: 'u@example.com' } })
    expect(mailOnly).toContain('List-Unsubscribe: <mailto:u@example.com>\r\n')
    expect(mailOnly).not.toContain('List-Unsubscribe-Post')
  })

  test('folds long headers at 78 characters where possible', () => {
    const to = Array.from({ length: 20 }, (_, i) => `user${i}@example.org`)
    const head = headerBlock(buildMessage({ ...base, to, subject: 'word '.repeat(40).trim() }))
    for (const line of lines(head)) expect(line.length).toBeLessThanOrEqual(78)
  })

  test('chooses 7bit, quoted-printable or base64 per text part', () => {
    const cte = (text: string) =>
      /Content-Transfer-Encoding: (\S+)/.exec(buildMessage({ ...base, text }))![1]
    expect(cte('plain ascii')).toBe('7bit')
    expect(cte('Grüße aus Köln, wie geht es dir?')).toBe('quoted-printable')
    expect(cte('日本語のテキストです')).toBe('base64')
  })

  test('keeps the boundaries out of the content', () => {
    const text = '--=_b0\r\n--=_b1--\r\n'
    const raw = buildMessage({ ...base, text, html: '<p>x</p>' })
    const boundary = /boundary="([^"]+)"/.exec(raw)![1]!
    expect(text.includes(boundary)).toBe(false)
  })

  test('reports smtputf8 and eightBit only when an address needs raw UTF-8', () => {
    const ascii = composeMessage({ ...base, subject: 'Grüße' }, { smtputf8: true })
    expect(ascii).toMatchObject({ smtputf8: false, eightBit: false })
    const utf8 = composeMessage({ ...base, to: 'zoë@bücher.example' }, { smtputf8: true })
    expect(utf8).toMatchObject({ smtputf8: true, eightBit: true })
    expect(utf8.raw).toContain('To: zoë@bücher.example\r\n')
    const bccOnly = composeMessage({ ...base, bcc: 'zoë@example.org' }, { smtputf8: true })
    expect(bccOnly).toMatchObject({ smtputf8: true, eightBit: false })
  })
})
