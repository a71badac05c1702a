import { describe, expect, it } from 'vitest'
import { parseWithMailparser, parseWithPython, pythonParser } from '../src/index.js'

const raw = [
  'From: "Ann Example" <ann@example.com>',
  'Sender: sec@example.com',
  'To: bob@example.org, Team: cy@example.net, dee@example.net;',
  'Cc: =?utf-8?q?J=C3=B6rg?= <j@example.com>',
  'Reply-To: r@example.com',
  'Subject: =?utf-8?q?Gr=C3=BC=C3=9Fe?=',
  'Date: Sat, 28 Nov 2026 20:00:00 +0100',
  'Message-ID: <m1@example.com>',
  'X-Custom: a',
  ' folded',
  'MIME-Version: 1.0',
  'Content-Type: multipart/mixed; boundary="outer"',
  '',
  '--outer',
  'Content-Type: multipart/alternative; boundary="alt"',
  '',
  '--alt',
  'Content-Type: text/plain; charset=utf-8',
  'Content-Transfer-Encoding: quoted-printable',
  '',
  'Hall=C3=B6chen',
  '--alt',
  'Content-Type: text/html; charset=utf-8',
  '',
  '<p>Hi <img src="cid:logo@x"></p>',
  '--alt--',
  '--outer',
  'Content-Type: image/png',
  'Content-Disposition: inline',
  'Content-ID: <logo@x>',
  'Content-Transfer-Encoding: base64',
  '',
  Buffer.from([0, 1, 2, 255]).toString('base64'),
  '--outer',
  'Content-Type: application/pdf; name="r.pdf"',
  "Content-Disposition: attachment; filename*=utf-8''b%C3%A9richt.pdf",
  'Content-Transfer-Encoding: base64',
  '',
  Buffer.from('%PDF-1').toString('base64'),
  '--outer--',
  '',
].join('\r\n')

describe.each([
  ['parseWithPython', parseWithPython],
  ['parseWithMailparser', parseWithMailparser],
])('%s', (_name, parse) => {
  it('reads addresses, subject, ids, date and bodies of a known message', async () => {
    const m = await parse(raw)
    expect(m.defects).toEqual([])
    expect(m.subject).toBe('Grüße')
    expect(m.from).toEqual([{ name: 'Ann Example', address: 'ann@example.com' }])
    expect(m.sender).toEqual([{ name: '', address: 'sec@example.com' }])
    expect(m.to.map((a) => a.address)).toEqual([
      'bob@example.org',
      'cy@example.net',
      'dee@example.net',
    ])
    expect(m.cc).toEqual([{ name: 'Jörg', address: 'j@example.com' }])
    expect(m.replyTo).toEqual([{ name: '', address: 'r@example.com' }])
    expect(m.messageId).toBe('<m1@example.com>')
    expect(m.date).toBe('2026-11-28T19:00:00.000Z')
    expect(m.text?.trimEnd()).toBe('Hallöchen')
    expect(m.html?.trimEnd()).toBe('<p>Hi <img src="cid:logo@x"></p>')
    expect(m.headers).toContainEqual(['X-Custom', 'a folded'])
  })

  it('lists inline and attached leaf parts with decoded content', async () => {
    const m = await parse(raw)
    expect(m.attachments).toHaveLength(2)
    const [logo, pdf] = m.attachments
    expect(logo).toMatchObject({ contentType: 'image/png', disposition: 'inline', cid: 'logo@x' })
    expect(logo?.content).toEqual(Buffer.from([0, 1, 2, 255]))
    expect(pdf).toMatchObject({ contentType: 'application/pdf', filename: 'béricht.pdf' })
    expect(pdf?.disposition).toBe('attachment')
    expect(pdf?.content.toString()).toBe('%PDF-1')
  })
})

describe('parseWithPython', () => {
  it('reports MIME structure defects by class name', async () => {
    const broken = 'Content-Type: multipart/mixed; boundary="b"\r\n\r\nno boundary here\r\n'
    const m = await parseWithPython(broken)
    expect(m.defects).toContain('StartBoundaryNotFoundDefect')
  })
})

describe('pythonParser', () => {
  it('parses many messages in order through one process', async () => {
    const parser = await pythonParser()
    try {
      const subjects = Array.from({ length: 20 }, (_, i) => `n${i} ü`)
      const results = await Promise.all(
        subjects.map((s) => parser.parse(`Subject: ${s}\r\n\r\nbody ${s}\r\n`)),
      )
      expect(results.map((r) => r.subject)).toEqual(subjects)
      expect((await parser.parse(Buffer.from(raw))).cc[0]?.name).toBe('Jörg')
    } finally {
      await parser.close()
    }
  })
})
