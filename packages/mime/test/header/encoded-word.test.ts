import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { encodedWords, firstWordRoom } from '../../src/header/encoded-word.js'
import { buildMessage } from '../../src/index.js'
import { singleLine } from '../fixtures/messages.js'

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

  test('shortens the first word to the room given, and no further than one character needs', () => {
    expect(firstWordRoom('Subject')).toBe(67)
    expect(firstWordRoom('To')).toBe(72)
    expect(firstWordRoom('X-A-Very-Long-Custom-Header-Name-Indeed-More-Than-Fifty-Chars')).toBe(24)
    for (const text of ['ü'.repeat(200), 'x'.repeat(500), '😀'.repeat(100), 'aü'.repeat(150)]) {
      for (const first of [24, 40, 67]) {
        const words = encodedWords(text, first)
        expect(words[0]!.length).toBeLessThanOrEqual(first)
        for (const w of words) expect(w.length).toBeLessThanOrEqual(75)
        expect(decode(words)).toBe(text)
      }
    }
  })

  test('keeps every header line holding an encoded-word within 76 characters', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', minLength: 1, maxLength: 200 }).map(singleLine),
        fc.string({ unit: 'grapheme', minLength: 1, maxLength: 120 }).map(singleLine),
        (subject, name) => {
          const raw = buildMessage({
            from: { name, address: 'a@example.com' },
            to: [{ name, address: 'b@example.org' }],
            replyTo: { name, address: 'c@example.org' },
            subject,
            headers: { 'X-Note': subject },
            text: 'x',
          })
          const head = raw.slice(0, raw.indexOf('\r\n\r\n'))
          for (const line of head.split('\r\n')) {
            if (line.includes('=?')) expect(line.length).toBeLessThanOrEqual(76)
          }
        },
      ),
      { numRuns: 300 },
    )
  })

  test('a custom value that cannot fold as given is written as encoded-words, not refused', () => {
    const values = [`a${' '.repeat(1000)}b`, 'a'.repeat(899)]
    const name = `X-${'n'.repeat(98)}`
    for (const value of values) {
      const raw = buildMessage({ from: 'a@example.com', headers: { [name]: value }, text: 'x' })
      const head = raw.slice(0, raw.indexOf('\r\n\r\n'))
      for (const line of head.split('\r\n')) expect(line.length).toBeLessThanOrEqual(998)
      const field = head.slice(head.indexOf(`${name}:`)).split(/\r\n(?![ \t])/)[0]!
      const words = field
        .slice(name.length + 1)
        .replace(/\r\n/g, '')
        .trim()
        .split(' ')
      expect(decode(words)).toBe(value)
    }
  })
})
