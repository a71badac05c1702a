import { describe, expect, it } from 'vitest'
import { closest, editDistance } from '../src/suggest.js'

describe('editDistance', () => {
  it('counts insertions, deletions, substitutions and a swap of neighbours as one edit each', () => {
    expect(editDistance('from', 'from')).toBe(0)
    expect(editDistance('form', 'from')).toBe(1)
    expect(editDistance('smpt', 'smtp')).toBe(1)
    expect(editDistance('too', 'to')).toBe(1)
    expect(editDistance('sujbect', 'subject')).toBe(1)
    expect(editDistance('', 'abc')).toBe(3)
    expect(editDistance('kitten', 'sitting')).toBe(3)
  })

  it('is symmetric', () => {
    for (const [a, b] of [
      ['attach', 'attachment'],
      ['greetingtimout', 'greetingTimeout'],
      ['ab', 'ba'],
    ] as const) {
      expect(editDistance(a, b)).toBe(editDistance(b, a))
    }
  })
})

describe('closest', () => {
  const flags = ['from', 'to', 'cc', 'subject', 'text', 'text-file', 'html-file', 'attach', 'smtp']

  it('finds the flag a short form or a longer habit means', () => {
    expect(closest('html', flags)).toBe('html-file')
    expect(closest('attachment', flags)).toBe('attach')
    expect(closest('attachments', flags)).toBe('attach')
    expect(closest('textfile', flags)).toBe('text-file')
  })

  it('finds typos, ignoring case', () => {
    expect(closest('form', flags)).toBe('from')
    expect(closest('Subjcet', flags)).toBe('subject')
    expect(closest('greetingtimout', ['connectTimeout', 'greetingTimeout'])).toBe('greetingTimeout')
  })

  it('suggests nothing for a name unlike any', () => {
    expect(closest('verbose', flags)).toBeUndefined()
    expect(closest('x', flags)).toBeUndefined()
    expect(closest('zzzz', flags)).toBeUndefined()
  })
})
