import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { isClean } from '../../src/protocol/clean.js'
import { encodeLines, initialLineState } from '../../src/protocol/data.js'

/** `text`'s octets at a 4-aligned offset (the word scan's case) or one past it (never scanned). */
function at(text: string, aligned: boolean): Uint8Array {
  const backing = new Uint8Array(text.length + 8)
  const offset = aligned ? 4 : 5
  for (let i = 0; i < text.length; i++) backing[offset + i] = text.charCodeAt(i)
  return backing.subarray(offset, offset + text.length)
}

/** The line-by-line encoder's verdict (it never scans an unaligned input by words). */
function unchanged(text: string, atLineStart: boolean, dotStuff: boolean): boolean {
  const input = at(text, false)
  const state = { cr: false, bol: atLineStart }
  const out = encodeLines(input, state, dotStuff)
  return out === input && !state.cr
}

const octet = fc.constantFrom('a', '.', '\r', '\n', '\r\n', '\r\n.', '\x0b', '\x0c', '\x0e')

describe('isClean', () => {
  it('says clean only where the line-by-line encoder would change nothing', () => {
    fc.assert(
      fc.property(
        fc.array(octet, { maxLength: 60 }).map((a) => a.join('')),
        fc.boolean(),
        fc.boolean(),
        (text, atLineStart, dotStuff) => {
          if (isClean(at(text, true), atLineStart, dotStuff)) {
            expect(unchanged(text, atLineStart, dotStuff)).toBe(true)
          }
        },
      ),
      { numRuns: 2000 },
    )
  })

  it('finds CRLF lines without leading dots clean, wherever the words cut them', () => {
    const line = fc.string({ unit: fc.constantFrom('a', 'b', '.', ' ', '\t'), maxLength: 90 })
    fc.assert(
      fc.property(fc.array(line, { minLength: 1, maxLength: 20 }), (lines) => {
        const text = lines.map((l) => `${l.replace(/^\.+/, '')}\r\n`).join('')
        if (text.length >= 8) expect(isClean(at(text, true), true, true)).toBe(true)
      }),
    )
  })

  it('finds a bare CR, a bare LF or a leading dot at any position of a word', () => {
    const base = 'abcdefgh\r\nijklmnop\r\n'
    for (let i = 0; i < base.length; i++) {
      for (const odd of ['\r', '\n']) {
        const text = `${base.slice(0, i)}${odd}x${base.slice(i)}`
        expect(isClean(at(text, true), true, false)).toBe(false)
      }
    }
    for (const i of [0, 10, 11]) {
      const text = `${base.slice(0, i)}.${base.slice(i)}`
      const lineStart = i === 0 || base[i - 1] === '\n'
      expect(isClean(at(text, true), true, true)).toBe(!lineStart)
      expect(isClean(at(text, true), true, false)).toBe(true)
    }
  })

  it('leaves a CR at the end, and unaligned or short input, to the encoder', () => {
    expect(isClean(at('abcdefgh\r', true), true, true)).toBe(false)
    expect(isClean(at('abcdefgh\r\n', false), true, true)).toBe(false)
    expect(isClean(at('ab\r\n', true), true, true)).toBe(false)
    const clean = at('abcdefgh\r\n', true)
    const state = initialLineState()
    expect(encodeLines(clean, state, true)).toBe(clean)
    expect(state).toEqual({ cr: false, bol: true })
  })
})
