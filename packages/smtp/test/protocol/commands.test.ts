import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { SmtpError } from '../../src/errors.js'
import { assertAddress, command, isAscii } from '../../src/protocol/commands.js'

describe('command formatter', () => {
  it('formats each command as one CRLF-terminated line', () => {
    expect(command.ehlo('client.example.com')).toBe('EHLO client.example.com\r\n')
    expect(command.lhlo('[127.0.0.1]')).toBe('LHLO [127.0.0.1]\r\n')
    expect(command.mailFrom('', [])).toBe('MAIL FROM:<>\r\n')
    expect(command.mailFrom('a@b.c', ['SIZE=10', 'BODY=8BITMIME'])).toBe(
      'MAIL FROM:<a@b.c> SIZE=10 BODY=8BITMIME\r\n',
    )
    expect(command.rcptTo('"john doe"@b.c')).toBe('RCPT TO:<"john doe"@b.c>\r\n')
    expect(command.bdat(12, true)).toBe('BDAT 12 LAST\r\n')
    expect(command.auth('PLAIN', '')).toBe('AUTH PLAIN =\r\n')
    expect(command.auth('LOGIN')).toBe('AUTH LOGIN\r\n')
  })

  it.each([
    ['a@b.c\r\nRCPT TO:<evil@x>', /CR, LF or NUL/],
    ['a@b.c\n', /CR, LF or NUL/],
    ['a\0@b.c', /CR, LF or NUL/],
    ['a@b.c> SIZE=1', /not a bare address/],
    ['a b@c.d', /not a bare address/],
    ['nobody', /not an address/],
    ['a@', /not an address/],
    ['a\t@b.c', /control character/],
  ])('rejects the address %j before anything is sent', (address, message) => {
    expect(() => command.rcptTo(address)).toThrow(message)
    try {
      assertAddress(address, 'to')
    } catch (e) {
      expect(e).toBeInstanceOf(SmtpError)
      expect((e as SmtpError).stage).toBe('input')
    }
  })

  it('rejects an EHLO name with a line break or space', () => {
    expect(() => command.ehlo('a\r\nMAIL FROM:<x@y>')).toThrow(SmtpError)
    expect(() => command.ehlo('a b')).toThrow(/domain or address literal/)
    expect(() => command.ehlo('')).toThrow(SmtpError)
  })

  it('rejects a parameter with a line break', () => {
    expect(() => command.mailFrom('a@b.c', ['ENVID=x\r\nRSET'])).toThrow(/parameter/)
  })

  it('always rejects random strings that contain CR, LF or NUL, in every field', () => {
    const evil = fc
      .tuple(fc.string(), fc.constantFrom('\r', '\n', '\0', '\r\n'), fc.string())
      .map(([a, bad, b]) => a + bad + b)
    fc.assert(
      fc.property(evil, (s) => {
        for (const f of [
          () => command.mailFrom(s),
          () => command.rcptTo(s),
          () => command.ehlo(s),
          () => command.helo(s),
          () => command.mailFrom('a@b.c', [s]),
          () => command.rcptTo(`${s}@b.c`),
        ]) {
          expect(f).toThrow(SmtpError)
        }
      }),
    )
  })

  it('never emits more than one line for any accepted address', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (local, domain) => {
        let line: string
        try {
          line = command.rcptTo(`${local}@${domain}`)
        } catch {
          return
        }
        expect(line.indexOf('\r\n')).toBe(line.length - 2)
        expect(line).not.toMatch(/[\r\n\0](?!\n?$)/)
      }),
    )
  })

  it('detects non-ASCII addresses', () => {
    expect(isAscii('a@b.c')).toBe(true)
    expect(isAscii('ü@b.c')).toBe(false)
  })
})
