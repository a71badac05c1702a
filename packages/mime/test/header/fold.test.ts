import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { MimeError } from '../../src/errors.js'
import { foldHeader } from '../../src/header/fold.js'

const unfold = (s: string) => s.replace(/\r\n(?=[ \t])/g, '')

describe('foldHeader', () => {
  test('leaves short fields on one line', () => {
    expect(foldHeader('Subject', 'short', 'subject')).toBe('Subject: short')
  })

  test('writes an empty value without a trailing space', () => {
    expect(foldHeader('X-Empty', '', 'headers.X-Empty')).toBe('X-Empty:')
  })

  test('folds before whitespace so lines stay within 78 characters', () => {
    const value = Array.from({ length: 40 }, (_, i) => `word${i}`).join(' ')
    const folded = foldHeader('Subject', value, 'subject')
    for (const line of folded.split('\r\n')) expect(line.length).toBeLessThanOrEqual(78)
    expect(unfold(folded)).toBe(`Subject: ${value}`)
  })

  test('never folds right after the colon or into a whitespace-only line', () => {
    const folded = foldHeader('X', `${'a'.repeat(100)}    `, 'headers.X')
    expect(folded).toBe(`X: ${'a'.repeat(100)}    `)
  })

  test('keeps an unbreakable run whole on its own line when it fits in 998', () => {
    const folded = foldHeader('X', `a ${'b'.repeat(500)} c`, 'headers.X')
    expect(folded).toBe(`X: a\r\n ${'b'.repeat(500)}\r\n c`)
  })

  test('throws MimeError naming the field when a line cannot fit in 998', () => {
    expect(() => foldHeader('X', 'b'.repeat(1000), 'headers.X')).toThrow(MimeError)
    try {
      foldHeader('X', 'b'.repeat(1000), 'headers.X')
    } catch (err) {
      expect((err as MimeError).field).toBe('headers.X')
    }
  })

  test('unfolds back to the original value, for any words and whitespace', () => {
    const word = fc.string({ unit: fc.constantFrom('a', 'b', 'c', '=', '"'), maxLength: 40 })
    const space = fc.constantFrom(' ', '\t', '  ', ' \t')
    const value = fc
      .array(fc.tuple(word, space), { maxLength: 40 })
      .map((parts) => parts.map(([w, s]) => w + s).join(''))
    fc.assert(
      fc.property(value, (v) => {
        const folded = foldHeader('Subject', v, 'subject')
        expect(unfold(folded)).toBe(v === '' ? 'Subject:' : `Subject: ${v}`)
        const lines = folded.split('\r\n')
        for (const line of lines.slice(1)) expect(line.trim()).not.toBe('')
      }),
      { numRuns: 1000 },
    )
  })
})
