import { domainToASCII } from 'node:url'
import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { domainToAscii, punycodeEncode } from '../../src/address/idna.js'

describe('punycodeEncode', () => {
  // RFC 3492 section 7.1 sample strings, and well-known labels.
  test.each([
    ['bücher', 'bcher-kva'],
    ['münchen', 'mnchen-3ya'],
    ['他们为什么不说中文', 'ihqwcrb4cv8a8dqg056pqjye'],
    ['ليهمابتكلموشعربي؟', 'egbpdaj6bu4bxfgehfvwxn'],
    ['Pročprostěnemluvíčesky', 'Proprostnemluvesky-uyb24dma41a'],
    ['למההםפשוטלאמדבריםעברית', '4dbcagdahymbxekheh6e0a7fei0b'],
    ['なぜみんな日本語を話してくれないのか', 'n8jok5ay5dzabd5bym9f0cm5685rrjetr6pdxa'],
    ['3年B組金八先生', '3B-ww4c5e180e575a65lsy2b'],
    ['😀', 'e28h'],
  ])('encodes %s as %s', (label, encoded) => {
    expect(punycodeEncode(label)).toBe(encoded)
  })
})

describe('domainToAscii', () => {
  test('leaves ASCII domains exactly as written', () => {
    expect(domainToAscii('Example.COM')).toBe('Example.COM')
  })

  test('encodes Unicode labels after NFC and lowercase mapping', () => {
    expect(domainToAscii('Bücher.example')).toBe('xn--bcher-kva.example')
    expect(domainToAscii('bu\u0308cher.example')).toBe('xn--bcher-kva.example')
  })

  test('treats ideographic full stops as label separators', () => {
    expect(domainToAscii('bücher。example')).toBe('xn--bcher-kva.example')
  })

  test('rejects labels too long once encoded', () => {
    expect(() => domainToAscii(`${'ü'.repeat(60)}.example`)).toThrow('too long')
  })
})

test('agrees with the WHATWG URL host parser on lowercase labels from several scripts', () => {
  const letter = fc.constantFrom(
    ...'abcxyz09-äöüßéñçøåłžčřšəğışαβγδλπωжзийклмнпрстяאבגדשת中文字例子广告日本語한국어ไทย',
  )
  const label = fc
    .string({ unit: letter, minLength: 1, maxLength: 12 })
    .filter((l) => !l.startsWith('-') && !l.endsWith('-') && l.slice(2, 4) !== '--')
  fc.assert(
    fc.property(fc.array(label, { minLength: 1, maxLength: 3 }), (labels) => {
      const domain = [...labels, 'example'].join('.')
      const expected = domainToASCII(domain)
      fc.pre(expected !== '') // a label that UTS 46 refuses (e.g. bidi rules) says nothing here
      expect(domainToAscii(domain)).toBe(expected)
    }),
    { numRuns: 1000 },
  )
})
