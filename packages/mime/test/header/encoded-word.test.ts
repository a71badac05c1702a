import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { encodedWords } from '../../src/header/encoded-word.js'

/** A minimal RFC 2047 decoder, enough to check what the encoder wrote. */
function decode(words: string[]): string {
  const bytes: number[] = []
  for (const word of words) {
    const m = /^=\?utf-8\?([QB])\?(.*)\?=$/.exec(word)
    if (!m) throw new Error(`not an encoded-word: ${word}`)
    if (m[1] === 'B') bytes.push(...Buffer.from(m[2]!, 'base64'))
    else {
      const q = m[2]!.replace(/_/g, ' ')
      for (let i = 0; i < q.length; i++) {
        if (q[i] === '=') {
          bytes.push(Number.parseInt(q.slice(i + 1, i + 3), 16))
          i += 2
        } else bytes.push(q.charCodeAt(i))
      }
    }
  }
  return Buffer.from(bytes).toString('utf8')
}

describe('encodedWords', () => {
  test('uses Q for mostly-ASCII text', () => {
    expect(encodedWords('Hello Wörld again')).toEqual(['=?utf-8?Q?Hello_W=C3=B6rld_again?='])
  })

  test('uses B for short non-ASCII text, where it is shorter', () => {
    expect(encodedWords('Grüße')).toEqual(['=?utf-8?B?R3LDvMOfZQ==?='])
  })

  test('uses B when it is shorter', () => {
    const words = encodedWords('日本語のテキスト')
    expect(words[0]).toMatch(/^=\?utf-8\?B\?/)
    expect(decode(words)).toBe('日本語のテキスト')
  })

  test('writes only phrase-safe characters in Q words', () => {
    const words = encodedWords(`${'abcdefghijklmnopqrstuvwxyz'.repeat(4)} "(),.:;<>@[]\\?=_ `)
    for (const word of words) expect(word).toMatch(/^=\?utf-8\?Q\?[A-Za-z0-9!*+\-/=_]*\?=$/)
  })

  test('keeps every word within 75 characters', () => {
    for (const text of ['ü'.repeat(200), 'x'.repeat(500), '😀'.repeat(100), 'aü'.repeat(150)]) {
      const words = encodedWords(text)
      expect(words.length).toBeGreaterThan(1)
      for (const w of words) expect(w.length).toBeLessThanOrEqual(75)
      expect(decode(words)).toBe(text)
    }
  })

  test('never splits a UTF-8 sequence between two words', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (text) => {
        // U+FFFD in the input would decode as itself and hide a cut sequence.
        fc.pre(!text.includes('\ufffd'))
        const words = encodedWords(text)
        for (const w of words) {
          expect(w.length).toBeLessThanOrEqual(75)
          // Each word alone decodes to whole characters (no U+FFFD from a cut sequence).
          expect(decode([w])).not.toContain('\ufffd')
        }
        expect(decode(words)).toBe(text)
      }),
      { numRuns: 500 },
    )
  })
})
