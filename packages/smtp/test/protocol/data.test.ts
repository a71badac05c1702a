import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { cleanText, encodeLines, endLines, initialLineState } from '../../src/protocol/data.js'
import { dotStuff, normalizeLines } from '../helpers/data.js'

const enc = (s: string) => Buffer.from(s, 'latin1')
const str = (b: Uint8Array) => Buffer.from(b).toString('latin1')

/** Reference model: what a receiver should reconstruct, bare CR and LF as CRLF, CRLF-ended. */
function normalised(s: string): string {
  const crlf = s.replace(/\r\n|\r|\n/g, '\r\n')
  return crlf === '' || crlf.endsWith('\r\n') ? crlf : `${crlf}\r\n`
}

/** A receiver's side of DATA (RFC 5321 4.5.2): split at CRLF, strip one leading dot. */
function unstuff(wire: string): string {
  expect(wire.endsWith('.\r\n')).toBe(true)
  const body = wire.slice(0, -3)
  return body
    .split('\r\n')
    .map((l) => (l.startsWith('.') ? l.slice(1) : l))
    .join('\r\n')
}

const messy = fc.string({ unit: fc.constantFrom('a', '.', '\r', '\n', ' ', 'é', '\r\n') })

describe('dotStuff', () => {
  it('returns CRLF input with no leading dots unchanged plus the terminator', () => {
    expect(str(dotStuff(enc('a\r\nb\r\n')))).toBe('a\r\nb\r\n.\r\n')
  })

  it('doubles dots that start a line, including the first', () => {
    expect(str(dotStuff(enc('.a\r\n..b\r\nc.\r\n')))).toBe('..a\r\n...b\r\nc.\r\n.\r\n')
  })

  it('terminates an empty message and an unterminated last line', () => {
    expect(str(dotStuff(enc('')))).toBe('.\r\n')
    expect(str(dotStuff(enc('x')))).toBe('x\r\n.\r\n')
  })

  it.each([
    ['\n.\n', '\r\n..\r\n'],
    ['\r.\r', '\r\n..\r\n'],
    ['\r\n.\n', '\r\n..\r\n'],
    ['\n.\r\n', '\r\n..\r\n'],
    ['a\r\n.\rMAIL FROM:<x@y>\r\n', 'a\r\n..\r\nMAIL FROM:<x@y>\r\n'],
    ['a\n.\r\nRSET\r\n', 'a\r\n..\r\nRSET\r\n'],
    ['\r\r\n', '\r\n\r\n'],
    ['\n\r', '\r\n\r\n'],
  ])('neutralises the smuggling vector %j', (input, expected) => {
    const wire = str(dotStuff(enc(input)))
    expect(wire).toBe(`${expected}.\r\n`)
    // The only "<CRLF>.<CRLF>" is the terminator.
    expect(`\r\n${wire}`.indexOf('\r\n.\r\n')).toBe(wire.length - 3)
  })

  it('puts only CRLF line ends on the wire, never a lone-dot line, and unstuffs to the normalised input', () => {
    fc.assert(
      fc.property(messy, (s) => {
        const wire = str(dotStuff(enc(s)))
        expect(wire.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/)
        const lines = wire.slice(0, -3).split('\r\n')
        expect(lines.filter((l) => l === '.')).toEqual([])
        expect(unstuff(wire)).toBe(normalised(s))
      }),
    )
  })

  it('gives the same bytes when the message is encoded in arbitrary slices', () => {
    fc.assert(
      fc.property(messy, fc.array(fc.nat(), { maxLength: 5 }), (s, cuts) => {
        const all = enc(s)
        const points = [...new Set(cuts.map((c) => c % (all.length + 1)))].sort((a, b) => a - b)
        const state = initialLineState()
        let out = ''
        let from = 0
        for (const at of [...points, all.length]) {
          out += str(encodeLines(all.subarray(from, at), state, true))
          from = at
        }
        out += str(endLines(state, true))
        expect(out).toBe(str(dotStuff(all)))
      }),
    )
  })

  it('returns the very same buffer when nothing needs changing', () => {
    const input = enc('a\r\nb')
    expect(encodeLines(input, initialLineState(), true)).toBe(input)
  })
})

describe('cleanText', () => {
  it('returns a CRLF message with no leading dots as it is, plus the end of data', () => {
    expect(cleanText('a\r\nb\r\n', true)).toBe('a\r\nb\r\n.\r\n')
    expect(cleanText('a\r\nb', true)).toBe('a\r\nb\r\n.\r\n')
    expect(cleanText('', true)).toBe('.\r\n')
  })

  it('for BDAT keeps leading dots and adds only a missing final CRLF', () => {
    expect(cleanText('.a\r\n.b\r\n', false)).toBe('.a\r\n.b\r\n')
    expect(cleanText('a\r\nb', false)).toBe('a\r\nb\r\n')
    expect(cleanText('', false)).toBe('')
    expect(cleanText('a\nb', false)).toBeUndefined()
  })

  it.each([
    ['a leading dot', '.a\r\n'],
    ['a dot after CRLF', 'a\r\n.b\r\n'],
    ['a bare LF', 'a\nb\r\n'],
    ['a bare CR', 'a\rb\r\n'],
    ['a trailing CR', 'a\r\nb\r'],
    ['an LF first', '\na'],
    ['CR CR LF', 'a\r\r\n'],
  ])('declines for DATA a message with %s', (_, text) => {
    expect(cleanText(text, true)).toBeUndefined()
  })

  it('agrees with the byte encoders whenever it answers, and answers for every clean message', () => {
    const ascii = fc.string({ unit: fc.constantFrom('a', '.', '\r', '\n', ' ', '\r\n') })
    fc.assert(
      fc.property(ascii, (s) => {
        const data = cleanText(s, true)
        const bdat = cleanText(s, false)
        if (data !== undefined) expect(data).toBe(str(dotStuff(enc(s))))
        if (bdat !== undefined) expect(bdat).toBe(str(normalizeLines(enc(s))))
        // Every line end a CRLF (bare CR or LF would be rewritten); for DATA no leading '.'
        const crlf = !/\r(?!\n)|(?<!\r)\n/.test(s)
        expect(bdat !== undefined).toBe(crlf)
        expect(data !== undefined).toBe(crlf && !/(^|\n)\./.test(s))
      }),
    )
  })
})

describe('normalizeLines (BDAT)', () => {
  it('normalises bare CR and LF without stuffing dots', () => {
    expect(str(normalizeLines(enc('.a\n.\rb')))).toBe('.a\r\n.\r\nb\r\n')
  })

  it('always produces the normalised input', () => {
    fc.assert(
      fc.property(messy, (s) => {
        expect(str(normalizeLines(enc(s)))).toBe(normalised(s))
      }),
    )
  })
})
