import { expect, test } from 'vitest'
import { formatDate } from '../../src/header/date.js'

test('formats RFC 5322 dates in UTC', () => {
  expect(formatDate(new Date('2026-11-28T20:10:50Z'))).toBe('Sat, 28 Nov 2026 20:10:50 +0000')
  expect(formatDate(new Date('2027-01-05T03:04:05Z'))).toBe('Tue, 5 Jan 2027 03:04:05 +0000')
})
