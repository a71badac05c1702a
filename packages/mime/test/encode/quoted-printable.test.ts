import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { encodeQuotedPrintable } from '../../src/encode/quoted-printable.js'

/** RFC 2045 6.7 decoder: soft breaks removed, =XX to octets. */
function decodeQp(s: string): string {
  const joined = s.replace(/=\r\n/g, '')
  const bytes: number[] = []
  for (let i = 0; i < joined.length; i++) {
    if (joined[i] === '=') {
      bytes.push(Number.parseInt(joined.slice(i + 1, i + 3), 16))
      i += 2
    } else bytes.push(joined.charCodeAt(i))
  }
  return Buffer.from(bytes).toString('utf8')
}

describe('encodeQuotedPrintable', () => {
  test('leaves plain short lines alone', () => {
    expect(encodeQuotedPrintable('Hello\r\nWorld')).toBe('Hello\r\nWorld')
  })

  test('escapes = and non-ASCII octets', () => {
    expect(encodeQuotedPrintable('a=b ü')).toBe('a=3Db =C3=BC')
  })

  test('escapes trailing whitespace', () => {
    expect(encodeQuotedPrintable('a \nb\t')).toBe('a=20\r\nb=09')
  })

  test('protects lines starting with "." or "From "', () => {
    expect(encodeQuotedPrintable('.\n.x\nFrom me\nFromage')).toBe(
      '=2E\r\n=2Ex\r\n=46rom me\r\nFromage',
    )
  })

  test('converts every line ending to CRLF', () => {
    expect(encodeQuotedPrintable('a\rb\nc\r\nd=')).toBe('a\r\nb\r\nc\r\nd=3D')
  })

  test('soft-breaks long lines at 76 characters without splitting an escape', () => {
    const encoded = encodeQuotedPrintable('é'.repeat(100))
    for (const line of encoded.split('\r\n')) {
      expect(line.length).toBeLessThanOrEqual(76)
      expect(line).toMatch(/^(=[0-9A-F]{2})*=?$/)
    }
    expect(decodeQp(encoded)).toBe('é'.repeat(100))
  })

  test('round-trips any text, with lines within 76 and no trailing whitespace', () => {
    const text = fc.string({
      unit: fc.oneof(
        fc.constantFrom(' ', '\t', '\r', '\n', '\r\n', '.', 'F', 'From ', '=', 'a', '\0'),
        fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
      ),
      maxLength: 300,
    })
    fc.assert(
      fc.property(text, (t) => {
        const encoded = encodeQuotedPrintable(t)
        for (const line of encoded.split('\r\n')) {
          expect(line.length).toBeLessThanOrEqual(76)
          expect(line).not.toMatch(/[ \t]$/)
          expect(line).toMatch(/^[\x20-\x7e\t]*$/)
          expect(line.startsWith('.')).toBe(false)
          expect(line.startsWith('From ')).toBe(false)
        }
        expect(encoded).not.toContain('=_')
        expect(decodeQp(encoded)).toBe(t.replace(/\r\n|\r|\n/g, '\r\n'))
      }),
      { numRuns: 2000 },
    )
  })
})
