import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { utf8AddrXtext, xtext } from '../../src/protocol/xtext.js'

const unxtext = (s: string) =>
  s.replace(/\+([0-9A-F]{2})/g, (_, h) => String.fromCharCode(parseInt(h, 16)))

describe('xtext (RFC 3461 4)', () => {
  it('encodes +, =, space and controls as +XX', () => {
    expect(xtext('a+b=c d', 'f')).toBe('a+2Bb+3Dc+20d')
  })

  it('refuses non-ASCII', () => {
    expect(() => xtext('é', 'dsn.envid')).toThrow(/dsn.envid must be ASCII/)
  })

  it('round-trips any ASCII string and never emits a line break or space', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.integer({ min: 0, max: 126 }).map((c) => String.fromCharCode(c)) }),
        (s) => {
          const x = xtext(s, 'f')
          expect(x).toMatch(/^[!-~]*$/)
          expect(unxtext(x)).toBe(s)
        },
      ),
    )
  })

  it('keeps UTF-8 in utf-8-addr-xtext and escapes specials (RFC 6533)', () => {
    expect(utf8AddrXtext('j+1@exämple.org')).toBe('j\\x{2B}1@exämple.org')
  })
})
