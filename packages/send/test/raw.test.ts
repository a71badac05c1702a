import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { messageIdOf } from '../src/raw.js'

const bytes = (s: string) => new TextEncoder().encode(s)

describe('messageIdOf', () => {
  it('reads the Message-ID field of the header section, from a string or bytes', () => {
    const raw = 'From: a@example.com\r\nMessage-ID: <abc@example.com>\r\n\r\nHi\r\n'
    expect(messageIdOf(raw)).toBe('<abc@example.com>')
    expect(messageIdOf(bytes(raw))).toBe('<abc@example.com>')
  })

  it('unfolds a folded field and ignores the field name case (RFC 5322 2.2.3)', () => {
    const raw = 'message-id:\r\n <folded@example.com>\r\nSubject: x\r\n\r\nbody'
    expect(messageIdOf(raw)).toBe('<folded@example.com>')
    expect(messageIdOf(raw.replace(/\r\n/g, '\n'))).toBe('<folded@example.com>')
  })

  it('finds none when the header section has none, whatever the body says', () => {
    expect(messageIdOf('Subject: x\r\n\r\nMessage-ID: <in-body@example.com>\r\n')).toBeUndefined()
    expect(messageIdOf(bytes('Subject: x\n\nMessage-ID: <b@x>\n'))).toBeUndefined()
    expect(messageIdOf('Subject: x')).toBeUndefined()
    expect(messageIdOf('X-Message-ID: <not@this>\r\n\r\n')).toBeUndefined()
  })

  it('never throws and finds the field wherever it sits in any header section', () => {
    const field = fc.stringMatching(/^[A-Za-z][A-Za-z0-9-]{0,10}: [ -~]{0,30}$/)
    fc.assert(
      fc.property(fc.array(field, { maxLength: 6 }), fc.nat(6), fc.string(), (fields, at, body) => {
        const others = fields.filter((f) => !/^message-id:/i.test(f))
        const lines = [...others]
        lines.splice(Math.min(at, lines.length), 0, 'Message-ID: <p@example.com>')
        const raw = `${lines.join('\r\n')}\r\n\r\n${body}`
        expect(messageIdOf(raw)).toBe('<p@example.com>')
        expect(messageIdOf(bytes(raw))).toBe('<p@example.com>')
        expect(() => messageIdOf(body)).not.toThrow()
      }),
    )
  })
})
