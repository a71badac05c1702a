import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { hasEightBit, messageSource } from '../../src/protocol/message.js'

const latin1 = (s: string) => Buffer.from(s, 'latin1')

describe('messageSource', () => {
  it('measures an ASCII string in octets and encodes any slice of it', () => {
    const m = messageSource('Subject: a\r\n\r\nbody\r\n')
    expect(m.size).toBe(20)
    expect(m.eightBit).toBe(false)
    expect(Buffer.from(m.slice(14, 18)).toString()).toBe('body')
  })

  it('encodes a non-ASCII string as UTF-8 and flags it 8-bit', () => {
    const m = messageSource('é\r\n')
    expect(m.size).toBe(4)
    expect(m.eightBit).toBe(true)
  })

  it('finds NULs and lines over 998 octets, counting a bare CR as a line end', () => {
    expect(messageSource('a\0b').binary()).toBe(true)
    expect(messageSource(`${'x'.repeat(998)}\r\n`).binary()).toBe(false)
    expect(messageSource(`${'x'.repeat(999)}\r\n`).binary()).toBe(true)
    expect(messageSource(`${'x'.repeat(600)}\r${'x'.repeat(600)}\n`).binary()).toBe(false)
    expect(messageSource(latin1(`${'x'.repeat(999)}`)).binary()).toBe(true)
    expect(messageSource(latin1('short\r\n')).binary()).toBe(false)
  })

  it('tells ASCII strings from others at any length and position, lone surrogates included', () => {
    const unit = fc.constantFrom('a', '\r\n', '\x7f', '\x80', 'é', '€', '\ud83d', '😀')
    fc.assert(
      fc.property(fc.string({ unit, maxLength: 40 }), fc.nat(40_000), (s, pad) => {
        const text = 'x'.repeat(pad) + s
        const m = messageSource(text)
        const nonAscii = /[^\x00-\x7f]/.test(text)
        expect(m.eightBit).toBe(nonAscii)
        expect(m.text).toBe(nonAscii ? undefined : text)
        expect(m.size).toBe(Buffer.byteLength(new TextEncoder().encode(text)))
      }),
      { numRuns: 200 },
    )
  })

  // Long strings are checked 16,384 characters at a time: a character on either side of a cut.
  it.each([16_383, 16_384, 32_767, 32_768, 49_151])(
    'finds a non-ASCII character, or a surrogate pair, at the cut after %i characters',
    (at) => {
      for (const odd of ['é', '😀', '\ud83d', '\ude00']) {
        const text = `${'a'.repeat(at)}${odd}${'b'.repeat(20_000)}`
        const m = messageSource(text)
        expect([m.eightBit, m.text]).toEqual([true, undefined])
      }
      expect(messageSource('a'.repeat(at + 20_000)).text).toHaveLength(at + 20_000)
    },
  )

  it('rejects what is neither a string nor bytes', () => {
    expect(() => messageSource(42 as never)).toThrow(/raw must be/)
  })
})

describe('hasEightBit', () => {
  it('agrees with a byte-by-byte scan at every offset and length', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.nat(8), (bytes, offset) => {
        const view = new Uint8Array(bytes.length + offset)
        view.set(bytes, offset)
        const sub = view.subarray(offset)
        expect(hasEightBit(sub)).toBe(bytes.some((b) => b > 127))
      }),
    )
  })
})
