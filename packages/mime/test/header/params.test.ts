import { describe, expect, test } from 'vitest'
import { formatParam, isPlainParamValue } from '../../src/header/params.js'

describe('formatParam', () => {
  test('quotes a plain ASCII value', () => {
    expect(formatParam('filename', 'report 2026.pdf')).toEqual(['filename="report 2026.pdf"'])
  })

  test('uses RFC 2231 for non-ASCII values', () => {
    expect(formatParam('filename', 'Grüße.txt')).toEqual(["filename*=utf-8''Gr%C3%BC%C3%9Fe.txt"])
  })

  test('uses RFC 2231 for quotes and backslashes instead of escaping', () => {
    expect(formatParam('name', 'a"b\\c')).toEqual(["name*=utf-8''a%22b%5Cc"])
  })

  test('never writes an encoded-word look-alike inside quotes', () => {
    expect(formatParam('filename', '=?utf-8?Q?x?=.txt')[0]).toMatch(/^filename\*=/)
  })

  test('splits long values into numbered continuations without cutting a character', () => {
    const value = 'ü'.repeat(40) + '.txt'
    const pieces = formatParam('filename', value)
    expect(pieces.length).toBeGreaterThan(1)
    pieces.forEach((p, i) => {
      expect(p.startsWith(`filename*${i}*=`)).toBe(true)
      expect(p.length).toBeLessThanOrEqual(78)
    })
    expect(pieces[0]).toContain("utf-8''")
    const joined = pieces.map((p) => p.slice(p.indexOf('=') + 1)).join('')
    expect(decodeURIComponent(joined.replace("utf-8''", ''))).toBe(value)
    for (const p of pieces) {
      const body = p.slice(p.indexOf('=') + 1).replace("utf-8''", '')
      expect(() => decodeURIComponent(body)).not.toThrow()
    }
  })

  test('uses continuations for plain values longer than 78 characters', () => {
    expect(formatParam('filename', `${'a'.repeat(100)}.txt`)[0]).toMatch(
      /^filename\*0\*=utf-8''a+$/,
    )
  })
})

describe('isPlainParamValue', () => {
  test('rejects edge whitespace, which a trimming parser would lose', () => {
    expect(isPlainParamValue(' a.txt')).toBe(false)
    expect(isPlainParamValue('a.txt')).toBe(true)
  })
})
