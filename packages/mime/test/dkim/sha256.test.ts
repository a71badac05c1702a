import { createHash } from 'node:crypto'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createSha256, type IncrementalHash, Sha256 } from '../../src/dkim/sha256.js'

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex')
const reference = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex')

/** Feeds `bytes` in pieces of the given sizes, in turn. */
function hashIn(hash: IncrementalHash, bytes: Uint8Array, sizes: number[]): string {
  for (let at = 0, i = 0; at < bytes.length; i++) {
    const size = sizes[i % sizes.length]!
    hash.update(bytes.subarray(at, at + size))
    at += size
  }
  return hex(hash.digest())
}

describe('SHA-256 fed in pieces', () => {
  it('matches FIPS 180-4 examples', () => {
    const abc = new TextEncoder().encode('abc')
    expect(hashIn(new Sha256(), abc, [1])).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    )
    expect(hex(new Sha256().digest())).toBe(
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    )
  })

  it('the JavaScript hash and the runtime’s agree with node:crypto at every padding edge', () => {
    for (const length of [0, 1, 55, 56, 57, 63, 64, 65, 119, 120, 128, 1000, 65_537]) {
      const bytes = new Uint8Array(length).map((_, i) => (i * 151 + 7) & 255)
      for (const sizes of [[length || 1], [1], [63, 65], [7]]) {
        expect(hashIn(new Sha256(), bytes, sizes)).toBe(reference(bytes))
        expect(hashIn(createSha256(), bytes, sizes)).toBe(reference(bytes))
      }
    }
  })

  it('agrees with node:crypto on random bytes cut at random', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 600 }),
        fc.array(fc.integer({ min: 1, max: 130 }), { minLength: 1, maxLength: 4 }),
        (bytes, sizes) => {
          expect(hashIn(new Sha256(), bytes, sizes)).toBe(reference(bytes))
        },
      ),
    )
  })
})
