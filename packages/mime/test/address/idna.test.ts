import { domainToASCII } from 'node:url'
import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { domainToAscii } from '../../src/address/idna.js'

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

  test.each([
    ['fullwidth letters', 'Ｍünchen.de', 'xn--mnchen-3ya.de'],
    ['fullwidth ASCII', 'ｅｘａｍｐｌｅ.cöm', 'example.xn--cm-fka'],
    ['a ligature', 'ﬁnänce.example', 'xn--finnce-dua.example'],
    ['mathematical letters', '𝐚𝐛𝐜ü.example', 'xn--abc-joa.example'],
    ['an ignored soft hyphen', 'bü\u00ADcher.example', 'xn--bcher-kva.example'],
    ['a sharp s, kept (nontransitional)', 'straße.de', 'xn--strae-oqa.de'],
  ])('maps %s as UTS 46 does', (_, domain, expected) => {
    expect(domainToAscii(domain)).toBe(expected)
  })

  test.each([
    ['a joiner out of context', 'a\u200Db.exämple'],
    ['URL syntax', 'bücher.example/x'],
    ['a percent escape', 'b%C3%BCcher.exämple'],
    ['an at sign', 'a@bücher.example'],
    ['a fullwidth solidus', 'bücher．example／x'],
    ['an empty label', 'bücher..example'],
    ['a trailing dot', 'bücher.example.'],
  ])('refuses %s', (_, domain) => {
    expect(() => domainToAscii(domain)).toThrow(Error)
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
