import fc from 'fast-check'
import { afterEach, describe, expect, test } from 'vitest'
import { base64Body, base64Encode, base64EncodeWeb } from '../../src/encode/base64.js'

const NodeBuffer = globalThis.Buffer
const unwrap = (s: string) => s.replace(/\r\n/g, '')

/** Runs `fn` with globalThis.Buffer hidden, as in Workers and browsers. */
export function withoutBuffer<T>(fn: () => T): T {
  const g = globalThis as { Buffer?: unknown }
  g.Buffer = undefined
  try {
    return fn()
  } finally {
    g.Buffer = NodeBuffer
  }
}

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
