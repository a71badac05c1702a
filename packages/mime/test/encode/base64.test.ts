import fc from 'fast-check'
import { afterEach, describe, expect, test } from 'vitest'
import * as base64 from '../../src/encode/base64.js'
import { base64Decode, base64Encode, base64EncodeWeb } from '../../src/encode/base64.js'
import { base64Body as encodeBody, withoutBuffer } from './engines.js'

const NodeBuffer = globalThis.Buffer
const unwrap = (s: string) => s.replace(/\r\n/g, '')
/** The body as the build writes it; `forceWeb` reads it out without Buffer. */
const base64Body = (bytes: Uint8Array, forceWeb = false) => encodeBody(base64, bytes, forceWeb)

afterEach(() => {
  expect(globalThis.Buffer).toBe(NodeBuffer)
})

describe('base64Encode', () => {
  test('matches RFC 4648 test vectors, with Buffer and without', () => {
    const vectors: [string, string][] = [
      ['', ''],
      ['f', 'Zg=='],
      ['fo', 'Zm8='],
      ['foo', 'Zm9v'],
      ['foob', 'Zm9vYg=='],
      ['fooba', 'Zm9vYmE='],
      ['foobar', 'Zm9vYmFy'],
    ]
    for (const [plain, encoded] of vectors) {
      const bytes = new TextEncoder().encode(plain)
      expect(base64Encode(bytes)).toBe(encoded)
      expect(withoutBuffer(() => base64Encode(bytes))).toBe(encoded)
      expect(base64EncodeWeb(bytes)).toBe(encoded)
    }
  })

  test('the Web encoder agrees with Buffer on random bytes, subarrays included', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 500 }), fc.nat(10), (bytes, cut) => {
        const view = bytes.subarray(Math.min(cut, bytes.length))
        const expected = NodeBuffer.from(view).toString('base64')
        expect(base64EncodeWeb(view)).toBe(expected)
        expect(base64Encode(view)).toBe(expected)
      }),
      { numRuns: 500 },
    )
  })
})

describe('base64Body', () => {
  test('writes 76-character lines separated by CRLF, with no trailing CRLF', () => {
    const bytes = new Uint8Array(1000).map((_, i) => (i * 7) & 255)
    for (const body of [base64Body(bytes), base64Body(bytes, true)]) {
      const lines = body.split('\r\n')
      expect(lines.slice(0, -1).every((l) => l.length === 76)).toBe(true)
      expect(lines.at(-1)!.length).toBeLessThanOrEqual(76)
      expect(unwrap(body)).toBe(NodeBuffer.from(bytes).toString('base64'))
    }
  })

  test('gives the same output on both paths across chunk edges (multi-chunk inputs)', () => {
    const sizes = [
      0,
      1,
      56,
      57,
      58,
      57 * 1024 - 1,
      57 * 1024,
      57 * 1024 + 1,
      200_003,
      57 * 16384 * 2 + 5,
    ]
    for (const size of sizes) {
      const bytes = new Uint8Array(size).map((_, i) => (i * 31 + 7) & 255)
      const native = base64Body(bytes)
      expect(withoutBuffer(() => base64Body(bytes))).toBe(native)
      expect(base64Body(bytes, true)).toBe(native)
      expect(native.split('\r\n').every((l) => l.length <= 76)).toBe(true)
      expect(NodeBuffer.from(unwrap(native), 'base64').equals(NodeBuffer.from(bytes))).toBe(true)
    }
  })
})

// Formerly the DKIM signer's own copy (src/dkim/base64.ts); the package has one base64 now.
describe('base64 for DKIM values and PEM keys', () => {
  test('encodes like Buffer for any bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), (bytes) => {
        expect(base64Encode(bytes)).toBe(Buffer.from(bytes).toString('base64'))
      }),
    )
  })

  test('decodes what it encodes, ignoring line breaks and spaces', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), (bytes) => {
        const folded = base64Encode(bytes).replace(/(.{7})/g, '$1\r\n ')
        expect(base64Decode(folded)).toEqual(bytes)
      }),
    )
  })

  test('refuses text that is not base64', () => {
    expect(base64Decode('abc')).toBeUndefined()
    expect(base64Decode('ab*d')).toBeUndefined()
    expect(base64Decode('a===')).toBeUndefined()
  })
})

describe('base64Decode is strict', () => {
  test.each([
    ['a URL-safe alphabet', 'aGV-bG8_'],
    ['missing padding', 'aGVsbG8'],
    ['padding inside', 'aGVs=G8='],
    ['unused bits set before "="', 'aGVsbG9='],
    ['unused bits set before "=="', 'aGVsbB=='],
    ['other characters', 'aGVs bG8=!'],
  ])('refuses %s', (_, text) => {
    expect(base64Decode(text)).toBeUndefined()
  })

  test('reads exactly what Buffer wrote, for any bytes and any folding', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 200 }),
        fc.integer({ min: 1, max: 80 }),
        (bytes, w) => {
          const text = Buffer.from(bytes).toString('base64')
          const folded = text.replace(new RegExp(`(.{${w}})`, 'g'), '$1\n')
          expect(Buffer.from(base64Decode(folded)!).equals(Buffer.from(bytes))).toBe(true)
        },
      ),
    )
  })
})
