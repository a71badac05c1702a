import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { firstUnsafe, hasLoneSurrogate, shown, unsafeAt } from '../../src/protocol/text.js'

describe('unsafeAt', () => {
  it.each([
    ['\0', /control character \(U\+0000\)/],
    ['\t', /control character \(U\+0009\)/],
    ['\x7f', /control character \(U\+007F\)/],
    ['\x85', /C1 control character \(U\+0085\)/],
    ['\x9b', /C1 control character \(U\+009B\)/],
    ['\u2028', /line or paragraph separator \(U\+2028\)/],
    ['\u2029', /line or paragraph separator \(U\+2029\)/],
    ['\u202e', /bidirectional control \(U\+202E\)/],
    ['\u2066', /bidirectional control \(U\+2066\)/],
    ['\ud800', /lone surrogate \(U\+D800\)/],
    ['\udfff', /lone surrogate \(U\+DFFF\)/],
  ])('names %j', (c, what) => {
    expect(unsafeAt(`a${c}b`, 1)).toMatch(what)
  })

  it('accepts printable text in any script, and surrogate pairs', () => {
    for (const text of ['jörg', 'пример', '例え', '😀', 'a\u00a0b', 'x\u200dy']) {
      expect(firstUnsafe(text)).toBeUndefined()
    }
    expect(unsafeAt('😀', 0)).toBeUndefined()
    expect(unsafeAt('😀', 1)).toBeUndefined()
  })

  it('finds the first unsafe character and its position', () => {
    expect(firstUnsafe('ab\u202ec\0')).toEqual({
      index: 2,
      what: 'a bidirectional control (U+202E)',
    })
  })

  it('agrees with a reference definition on every string', () => {
    const unsafe = /[\0-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]|\p{Cs}/u
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        expect(firstUnsafe(s) !== undefined).toBe(unsafe.test(s))
      }),
    )
  })
})

describe('hasLoneSurrogate', () => {
  it('sees a lone surrogate but not a pair', () => {
    expect(hasLoneSurrogate('a\ud83d')).toBe(true)
    expect(hasLoneSurrogate('\ude00a')).toBe(true)
    expect(hasLoneSurrogate('😀')).toBe(false)
  })
})

describe('shown', () => {
  it('quotes a value so that nothing in it can change how the message displays', () => {
    expect(shown('a\u202eb\u2028c\x85\r\n\ud800')).toBe('"a\\u202eb\\u2028c\\u0085\\r\\n\\ud800"')
  })

  it('cuts long values', () => {
    expect(shown('x'.repeat(1000))).toBe(`"${'x'.repeat(80)}..."`)
  })
})
