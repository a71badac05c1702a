import { expect, test } from 'vitest'
import { randomHex } from '../src/random.js'

test('randomHex gives lowercase hex of the asked length, never repeating', () => {
  const seen = new Set<string>()
  // More than one 4096-byte block, so refilling the pool is exercised too.
  for (let i = 0; i < 1000; i++) {
    const hex = randomHex(16)
    expect(hex).toMatch(/^[0-9a-f]{32}$/)
    seen.add(hex)
  }
  expect(seen.size).toBe(1000)
})
