import { describe, expect, test } from 'vitest'
import { formatCustomValue, formatText } from '../../src/header/unstructured.js'

describe('formatText', () => {
  test('writes plain ASCII words as they are', () => {
    expect(formatText('Hello, world!')).toBe('Hello, world!')
  })

  test('encodes non-ASCII, edge or repeated whitespace, tabs and =?', () => {
    for (const s of ['Grüße', ' lead', 'trail ', 'two  spaces', 'a\tb', 'x =?y', 'c\x01']) {
      expect(formatText(s)).toMatch(/^=\?utf-8\?[QB]\?/)
    }
  })

  test('encodes a run too long to fold', () => {
    expect(formatText('x'.repeat(950))).toMatch(/^=\?utf-8\?Q\?x+\?= /)
  })
})

describe('formatCustomValue', () => {
  test('keeps ASCII values with their whitespace exactly', () => {
    expect(formatCustomValue('<a>,  <b>\tc =?x?=')).toBe('<a>,  <b>\tc =?x?=')
  })

  test('encodes non-ASCII values', () => {
    expect(formatCustomValue('Köln am Rhein')).toBe('=?utf-8?Q?K=C3=B6ln_am_Rhein?=')
  })

  test('encodes a value starting with whitespace, which a parser would take for the separator', () => {
    expect(formatCustomValue(' lead')).toBe('=?utf-8?Q?_lead?=')
    expect(formatCustomValue('\tx')).toBe('=?utf-8?Q?=09x?=')
    expect(formatCustomValue('trail ')).toBe('trail ')
  })
})
