import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { InboxError } from '../src/errors.js'
import { checkFilter, describeFilter, matches } from '../src/filter.js'
import type { InboxMessage } from '../src/types.js'

const message: InboxMessage = {
  id: '20261128T201050123Z-ab12cd',
  receivedAt: '2026-11-28T20:10:50.123Z',
  envelope: { from: 'bounces@mailer.example.com', to: ['bob@example.org', 'hidden@example.net'] },
  from: { name: 'Alice Liddell', address: 'alice@example.com' },
  to: [{ name: 'Bob', address: 'bob@example.org' }],
  cc: [{ address: 'carol@example.org' }],
  subject: 'Reset your password',
  date: '2026-11-28T20:10:50.000Z',
  messageId: '<1@example.com>',
  attachments: [],
  size: 100,
  headers: [],
}

describe('matches', () => {
  it('matches to against the envelope recipients, To and Cc', () => {
    for (const to of ['hidden@', 'BOB@EXAMPLE', 'carol', 'Bob <bob']) {
      expect(matches(message, { to })).toBe(true)
    }
    expect(matches(message, { to: 'alice' })).toBe(false)
  })

  it('matches from against the envelope sender and From', () => {
    for (const from of ['bounces@', 'alice liddell', 'ALICE@example.com']) {
      expect(matches(message, { from })).toBe(true)
    }
    expect(matches(message, { from: 'bob' })).toBe(false)
  })

  it('matches subject as a case-insensitive substring, and combines filters with AND', () => {
    expect(matches(message, { subject: 'PASSWORD' })).toBe(true)
    expect(matches(message, { subject: 'password', to: 'bob' })).toBe(true)
    expect(matches(message, { subject: 'password', to: 'dave' })).toBe(false)
    expect(matches(message, {})).toBe(true)
  })

  it('finds any piece of the subject, in any case', () => {
    fc.assert(
      fc.property(fc.string(), fc.nat(), fc.nat(), (subject, a, b) => {
        const [from, to] = [Math.min(a, b), Math.max(a, b)].map((n) => n % (subject.length + 1))
        const piece = subject.slice(from, to)
        expect(matches({ ...message, subject }, { subject: piece.toUpperCase() })).toBe(
          subject.toLowerCase().includes(piece.toUpperCase().toLowerCase()),
        )
        expect(matches({ ...message, subject }, { subject: piece })).toBe(true)
      }),
    )
  })
})

describe('checkFilter', () => {
  it('refuses an unknown filter by name rather than matching everything', () => {
    expect(() => checkFilter({ subjct: 'x' })).toThrow(
      expect.objectContaining({
        name: 'InboxError',
        field: 'filter.subjct',
        message: 'unknown filter "subjct": use to, from, subject',
      }),
    )
    expect(() => checkFilter({ to: 3 })).toThrow(InboxError)
    expect(() => checkFilter('bob')).toThrow(InboxError)
  })

  it('keeps the given strings and the allowed extra keys out of the filter', () => {
    expect(checkFilter({ to: 'b', timeoutMs: 5 }, ['timeoutMs'])).toEqual({ to: 'b' })
    expect(checkFilter(undefined)).toEqual({})
  })
})

describe('describeFilter', () => {
  it('says what was looked for', () => {
    expect(describeFilter({ to: 'bob@', subject: 'Hi' })).toBe('{ to: "bob@", subject: "Hi" }')
    expect(describeFilter({})).toBe('any message')
  })
})
