import { describe, expect, test } from 'vitest'
import { formatAddrSpec, formatMailbox, formatPhrase } from '../../src/address/format.js'

describe('formatAddrSpec', () => {
  test('leaves a dot-atom local part alone', () => {
    expect(formatAddrSpec("o'brien.x+y", 'example.com')).toBe("o'brien.x+y@example.com")
  })

  test('quotes a local part RFC 5322 cannot write bare', () => {
    expect(formatAddrSpec('john doe', 'example.com')).toBe('"john doe"@example.com')
    expect(formatAddrSpec('a..b', 'example.com')).toBe('"a..b"@example.com')
    expect(formatAddrSpec('say "hi"\\', 'example.com')).toBe('"say \\"hi\\"\\\\"@example.com')
  })
})

describe('formatPhrase', () => {
  test('writes atoms as they are', () => {
    expect(formatPhrase('Alice Smith')).toBe('Alice Smith')
  })

  test('quotes names with specials', () => {
    expect(formatPhrase('Doe, Jane')).toBe('"Doe, Jane"')
    expect(formatPhrase('J. "JD" \\ Doe')).toBe('"J. \\"JD\\" \\\\ Doe"')
  })

  test('encodes non-ASCII names as encoded-words', () => {
    expect(formatPhrase('Zoë')).toBe('=?utf-8?Q?Zo=C3=AB?=')
  })

  test('quotes printable ASCII with inner double spaces or tabs', () => {
    expect(formatPhrase('inner  double')).toBe('"inner  double"')
    expect(formatPhrase('tab\there')).toBe('"tab\there"')
  })

  test('keeps ASCII words readable next to encoded ones', () => {
    expect(formatPhrase('Zoë Smith')).toBe('=?utf-8?Q?Zo=C3=AB?= Smith')
    expect(formatPhrase('Dr Zoë Müller PhD')).toBe('Dr =?utf-8?B?Wm/DqyBNw7xsbGVy?= PhD')
  })

  test('encodes the non-atom words of a very long ASCII name, so it can fold', () => {
    const phrase = formatPhrase('Doe, J. '.repeat(40).trim())
    expect(phrase.startsWith('=?utf-8?')).toBe(true)
    expect(phrase.split(' ').every((w) => w.length <= 75)).toBe(true)
  })

  test('encodes what a parser would otherwise alter', () => {
    // An encoded-word keeps edge whitespace, which parsers trim from a quoted-string.
    for (const name of [' edge', 'edge ', '  ', 'looks =?like?= a word']) {
      expect(formatPhrase(name)).toMatch(/^=\?utf-8\?[QB]\?/)
    }
  })
})

describe('formatMailbox', () => {
  test('writes a bare address when there is no name', () => {
    expect(formatMailbox({ name: '', local: 'a', domain: 'x' }, 'example.com')).toBe(
      'a@example.com',
    )
  })

  test('writes a name and an angle address', () => {
    expect(formatMailbox({ name: 'A B', local: 'a', domain: 'x' }, 'example.com')).toBe(
      'A B <a@example.com>',
    )
  })
})
