import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { readyMessage, stripBcc } from '../src/eml.js'

const text = (b: Uint8Array) => Buffer.from(b).toString('latin1')

describe('stripBcc', () => {
  it('removes a Bcc field with its folded lines and keeps every other byte', () => {
    const raw = 'From: a@x.test\r\nBcc: b@x.test,\r\n c@x.test\r\nTo: d@x.test\r\n\r\nBcc: body\r\n'
    expect(text(stripBcc(Buffer.from(raw)))).toBe(
      'From: a@x.test\r\nTo: d@x.test\r\n\r\nBcc: body\r\n',
    )
  })

  it('matches the field name case-insensitively and works with LF line endings', () => {
    expect(text(stripBcc(Buffer.from('BCC : b@x.test\nTo: d@x.test\n\nhi\n')))).toBe(
      'To: d@x.test\n\nhi\n',
    )
  })

  it('returns the same bytes when there is no Bcc field', () => {
    const raw = Buffer.from('To: d@x.test\r\nX-Bcc: keep\r\n\r\nbody')
    expect(stripBcc(raw)).toBe(raw)
  })

  it('never changes the body or the other header lines', () => {
    const name = fc
      .stringMatching(/^[A-Za-z][A-Za-z-]{0,10}$/)
      .filter((n) => n.toLowerCase() !== 'bcc')
    const value = fc.stringMatching(/^[ -~]{0,30}$/)
    const body = fc.string({ unit: 'binary' })
    fc.assert(
      fc.property(fc.array(fc.tuple(name, value)), value, body, (fields, bcc, b) => {
        const head = fields.map(([n, v]) => `${n}: ${v}\r\n`).join('')
        const raw = Buffer.from(`Bcc: ${bcc}\r\n${head}\r\n${b}`)
        expect(text(stripBcc(raw))).toBe(Buffer.from(`${head}\r\n${b}`).toString('latin1'))
      }),
    )
  })
})

describe('readyMessage', () => {
  const raw = Buffer.from(
    'From: Alice <alice@example.com>\r\nTo: bob@example.org, Carol <carol@example.org>\r\n' +
      'Cc: dave@example.org\r\nBcc: eve@example.org\r\nSubject: Hi\r\n' +
      'Message-ID: <m1@example.com>\r\n\r\nHello\r\n',
  )

  it('takes the envelope from From, To, Cc and Bcc, and strips Bcc from the bytes sent', async () => {
    const ready = await readyMessage(raw, { to: [], cc: [], bcc: [] })
    expect(ready.envelope).toEqual({
      from: 'alice@example.com',
      to: ['bob@example.org', 'carol@example.org', 'dave@example.org', 'eve@example.org'],
    })
    expect(ready.messageId).toBe('<m1@example.com>')
    expect(text(ready.raw)).not.toMatch(/^Bcc:/im)
  })

  it('asks for SMTPUTF8 when the header section holds raw UTF-8, or when told to', async () => {
    const utf8 = Buffer.from(
      'From: a@example.com\r\nTo: b@example.org\r\nSubject: Gr\u00fc\u00dfe\r\n\r\nx\r\n',
    )
    expect((await readyMessage(utf8, { to: [], cc: [], bcc: [] })).smtputf8).toBe(true)
    expect((await readyMessage(raw, { to: [], cc: [], bcc: [] })).smtputf8).toBe(false)
    expect((await readyMessage(raw, { to: [], cc: [], bcc: [], smtputf8: true })).smtputf8).toBe(
      true,
    )
  })

  it('prefers Sender over From for the reverse path', async () => {
    const withSender = Buffer.from(`Sender: list@example.com\r\n${raw.toString()}`)
    expect((await readyMessage(withSender, { to: [], cc: [], bcc: [] })).envelope.from).toBe(
      'list@example.com',
    )
  })

  it('lets --from and --to replace the derived envelope', async () => {
    const ready = await readyMessage(raw, {
      from: 'bounce@example.com',
      to: ['x@example.net'],
      cc: [],
      bcc: [],
    })
    expect(ready.envelope).toEqual({ from: 'bounce@example.com', to: ['x@example.net'] })
  })

  it('explains a message with no sender or no recipients', async () => {
    await expect(
      readyMessage(Buffer.from('To: b@example.org\r\n\r\nx'), { to: [], cc: [], bcc: [] }),
    ).rejects.toThrow(/no sender: give --from/)
    await expect(
      readyMessage(Buffer.from('From: a@example.org\r\n\r\nx'), { to: [], cc: [], bcc: [] }),
    ).rejects.toThrow(/no recipients: give --to/)
  })
})
