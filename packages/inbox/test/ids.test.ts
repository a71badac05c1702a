import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { arrivalClock, idTime, isMessageId, messageFileName, messageId } from '../src/ids.js'

describe('messageId', () => {
  it('is the UTC time to the millisecond then six hex digits', () => {
    expect(messageId(new Date('2026-11-28T20:10:50.123Z'), 'ab12cd')).toBe(
      '20261128T201050123Z-ab12cd',
    )
    expect(messageFileName(new Date('2026-11-28T20:10:50.123Z'), 'ab12cd')).toBe(
      '20261128T201050123Z-ab12cd.eml',
    )
    expect(messageId(new Date())).toMatch(/^\d{8}T\d{9}Z-[0-9a-f]{6}$/)
  })

  it('sorts in time order whatever the suffixes', () => {
    const date = fc.date({
      min: new Date('2000-01-01'),
      max: new Date('2999-12-31'),
      noInvalidDate: true,
    })
    const suffix = fc.stringMatching(/^[0-9a-f]{6}$/)
    fc.assert(
      fc.property(date, date, suffix, suffix, (a, b, sa, sb) => {
        fc.pre(a.getTime() !== b.getTime())
        expect(messageId(a, sa) < messageId(b, sb)).toBe(a < b)
      }),
    )
  })

  it('gives back the time it carries', () => {
    const when = new Date('2026-11-28T20:10:50.123Z')
    expect(idTime(messageId(when))).toEqual(when)
    expect(Number.isNaN(idTime('notes').getTime())).toBe(true)
  })
})

describe('isMessageId', () => {
  it('accepts the ids the inbox makes and file stems copied in by hand', () => {
    expect(isMessageId('20261128T201050123Z-ab12cd')).toBe(true)
    expect(isMessageId('bug-report_2.final')).toBe(true)
  })

  it('refuses anything that could name a file outside the store', () => {
    for (const bad of ['', '.', '..', '../x', '..%2Fx', 'a/b', 'a\\b', '.hidden', 'a\0b', 'a b']) {
      expect(isMessageId(bad)).toBe(false)
    }
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        if (isMessageId(s)) {
          expect(s).not.toMatch(/[/\\\0%]/)
          expect(s.startsWith('.')).toBe(false)
        }
      }),
    )
  })
})

describe('arrivalClock', () => {
  it('never gives the same millisecond twice, even when the clock stands still or goes back', () => {
    const times = [5, 5, 5, 3, 10].map((ms) => new Date(ms))
    const clock = arrivalClock(() => times.shift()!)
    expect([clock(), clock(), clock(), clock(), clock()].map((d) => d.getTime())).toEqual([
      5, 6, 7, 8, 10,
    ])
  })
})
