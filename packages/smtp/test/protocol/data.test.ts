import fc from 'fast-check'
import { describe, expect, it, vi } from 'vitest'
import {
  cleanText,
  encodeLines,
  endLines,
  initialLineState,
  passLines,
  stuffDots,
} from '../../src/protocol/data.js'
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

/** A CRLF-clean text: every line end is CRLF, any content between them (dots included). */
const crlfClean = fc
  .array(fc.string({ unit: fc.constantFrom('a', '.', ' ', 'é', '=') }), { maxLength: 8 })
  .chain((lines) => fc.boolean().map((ended) => lines.join('\r\n') + (ended ? '\r\n' : '')))

/** Encodes `all` in the slices `cuts` picks, with `encode` per slice and `endLines` after. */
function inSlices(
  all: Uint8Array,
  cuts: number[],
  encode: (slice: Uint8Array, state: ReturnType<typeof initialLineState>) => Uint8Array,
  dotStuff: boolean,
): string {
  const points = [...new Set(cuts.map((c) => c % (all.length + 1)))].sort((a, b) => a - b)
  const state = initialLineState()
  let out = ''
  let from = 0
  for (const at of [...points, all.length]) {
    out += str(encode(all.subarray(from, at), state))
    from = at
  }
  return out + str(endLines(state, dotStuff))
}

describe('stuffDots (a source that declares crlf)', () => {
  it('doubles a dot that starts a line, the first line too, and nothing else', () => {
    expect(str(stuffDots(enc('.a\r\nb.\r\n..c\r\n.'), initialLineState()))).toBe(
      '..a\r\nb.\r\n...c\r\n..',
    )
  })

  it('returns the very same buffer when no line starts with a dot', () => {
    const input = enc('YWJj\r\nZGVm.\r\n')
    expect(stuffDots(input, initialLineState())).toBe(input)
  })

  it('knows from the state whether a slice starts a line: after LF, after CR, or mid-line', () => {
    const state = initialLineState()
    expect(str(stuffDots(enc('a\r'), state))).toBe('a\r')
    expect(state).toEqual({ cr: true, bol: false })
    expect(str(stuffDots(enc('\n.b'), state))).toBe('\n..b')
    expect(state).toEqual({ cr: false, bol: false })
    expect(str(stuffDots(enc('.c\r\n'), state))).toBe('.c\r\n')
    expect(state).toEqual({ cr: false, bol: true })
    expect(str(stuffDots(enc('.d'), state))).toBe('..d')
  })

  it.each([
    ['\n.\r\n', '\n..\r\n'],
    ['a\r.\r\nRSET\r\n', 'a\r..\r\nRSET\r\n'],
    ['a\r\n.\n', 'a\r\n..\n'],
  ])('still neutralises the smuggling vector %j when the claim is false', (input, expected) => {
    const wire = str(stuffDots(enc(input), initialLineState()))
    expect(wire).toBe(expected)
    // A dot after any line-end octet is doubled: no end-of-data look-alike is left.
    expect(wire).not.toMatch(/[\r\n]\.(?!\.)/)
  })

  it('gives what the full encoder gives for CRLF-clean content, however it is sliced', () => {
    fc.assert(
      fc.property(crlfClean, fc.array(fc.nat(), { maxLength: 6 }), (s, cuts) => {
        const all = enc(s)
        const fast = inSlices(all, cuts, stuffDots, true)
        expect(fast).toBe(inSlices(all, cuts, (x, st) => encodeLines(x, st, true), true))
        expect(fast).toBe(str(dotStuff(all)))
      }),
    )
  })
})

describe('passLines (BDAT, a source that declares crlf)', () => {
  it('passes the slice as it is and notes where its last line stands', () => {
    const state = initialLineState()
    const input = enc('.a\r')
    expect(passLines(input, state)).toBe(input)
    expect(state).toEqual({ cr: true, bol: false })
    expect(str(endLines(state, false))).toBe('\n')
  })

  it('gives what the full encoder gives for CRLF-clean content, however it is sliced', () => {
    fc.assert(
      fc.property(crlfClean, fc.array(fc.nat(), { maxLength: 6 }), (s, cuts) => {
        const all = enc(s)
        expect(inSlices(all, cuts, passLines, false)).toBe(str(normalizeLines(all)))
      }),
    )
  })
})

/** A Buffer whose search refuses what is not one of its own, as a polyfill may. */
class StrictBuffer extends Uint8Array {
  override indexOf(byte: number, from?: number): number {
    if (!(this instanceof StrictBuffer)) throw new TypeError('argument must be a buffer')
    return super.indexOf(byte, from)
  }
}

describe('the octet search where Buffer is missing or refuses a Uint8Array', () => {
  it.each([
    ['no Buffer (Workers)', undefined],
    ['a Buffer that refuses a plain Uint8Array', StrictBuffer],
  ])('encodes the same with TypedArray#indexOf: %s', async (_, stand) => {
    const saved = globalThis.Buffer
    vi.resetModules()
    let data: typeof import('../../src/protocol/data.js')
    try {
      // The runtime's Buffer is replaced for the import only: the search is chosen then.
      globalThis.Buffer = stand as never
      data = await import('../../src/protocol/data.js')
    } finally {
      globalThis.Buffer = saved
    }
    // Plain Uint8Arrays: a Buffer would bring its own indexOf.
    const input = new Uint8Array(enc('.a\nb\r\n.c\rd'))
    const expected = str(encodeLines(input, initialLineState(), true))
    const search = vi.spyOn(Uint8Array.prototype, 'indexOf')
    try {
      expect(str(data.encodeLines(input, data.initialLineState(), true))).toBe(expected)
      expect(str(data.stuffDots(new Uint8Array(enc('x\r\n.y')), data.initialLineState()))).toBe(
        'x\r\n..y',
      )
      expect(search).toHaveBeenCalled()
    } finally {
      search.mockRestore()
    }
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
