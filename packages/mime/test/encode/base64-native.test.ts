import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { base64Body } from '../../src/encode/base64.js'
import {
  BIG_LINES,
  BIG_MIN_LINES,
  GROUP_LINES,
  pushNativeBase64Body,
} from '../../src/encode/base64-native.js'
import type { WrapEngine } from '../../src/encode/wrap-lines.js'

const NodeBuffer = globalThis.Buffer
const engines: WrapEngine[] = ['wasm', 'js']

/** An independent reference: one-line base64, then CRLF after every 76 characters but the last. */
function reference(bytes: Uint8Array): string {
  const wrapped = NodeBuffer.from(bytes).toString('base64').replace(/.{76}/g, '$&\r\n')
  return wrapped.endsWith('\r\n') ? wrapped.slice(0, -2) : wrapped
}

function native(bytes: Uint8Array, engine: WrapEngine): { body: string; pieces: string[] } {
  const pieces: string[] = []
  pushNativeBase64Body(NodeBuffer, bytes, pieces, engine)
  return { body: pieces.join(''), pieces }
}

const patterned = (size: number) => new Uint8Array(size).map((_, i) => (i * 131 + (i >> 8)) & 255)

describe('pushNativeBase64Body', () => {
  test.each(engines)(
    'matches the reference for every length from 0 to 200 (%s mover)',
    (engine) => {
      for (let size = 0; size <= 200; size++) {
        const bytes = patterned(size)
        expect(native(bytes, engine).body).toBe(reference(bytes))
      }
    },
  )

  test.each(engines)('matches the reference around group and piece edges (%s mover)', (engine) => {
    const group = GROUP_LINES * 57
    const sizes = [group - 1, group, group + 1, 2 * group + 56, 2 * group + 55]
    for (const lines of [BIG_MIN_LINES, BIG_MIN_LINES + BIG_LINES]) {
      sizes.push(lines * 57 - 1, lines * 57, lines * 57 + 1)
    }
    for (const size of sizes) {
      const bytes = patterned(size)
      const { body, pieces } = native(bytes, engine)
      expect(body).toBe(reference(bytes))
      // Every piece but the last ends a line with CRLF; no piece starts with one.
      for (const piece of pieces.slice(0, -1)) expect(piece.endsWith('\r\n')).toBe(true)
      expect(pieces.some((p) => p.startsWith('\r\n'))).toBe(false)
    }
  })

  test('shares big bodies evenly among big pieces, and cuts smaller ones into group pieces', () => {
    // 3 big pieces' worth plus 100 lines and a partial one: 3 pieces, the lines shared out.
    const lines = BIG_MIN_LINES + 101
    const big = native(patterned((lines - 1) * 57 + 3), 'wasm').pieces
    const share = Math.ceil(lines / 3)
    expect(big.map((p) => p.length)).toEqual([
      share * 78,
      share * 78,
      (lines - 1 - 2 * share) * 78 + 4,
    ])
    expect(big.every((p) => p.length >= BIG_LINES * 78 - 78)).toBe(true)
    // One line short of the big-piece minimum: pieces of GROUP_LINES lines only.
    const small = native(patterned((BIG_MIN_LINES - 1) * 57), 'wasm').pieces
    expect(small.length).toBe(Math.ceil((BIG_MIN_LINES - 1) / GROUP_LINES))
    expect(small[0]!.length).toBe(GROUP_LINES * 78)
  })

  test('gives the same bytes as the Web path and the reference on random input', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3000 }), fc.nat(7), (bytes, cut) => {
        const view = bytes.subarray(Math.min(cut, bytes.length))
        const expected = reference(view)
        expect(native(view, 'wasm').body).toBe(expected)
        expect(native(view, 'js').body).toBe(expected)
        expect(base64Body(view, true)).toBe(expected)
      }),
      { numRuns: 300 },
    )
  })

  test('reads a view into a larger buffer from its own offset only', () => {
    const backing = patterned(10_000)
    const view = backing.subarray(123, 123 + GROUP_LINES * 57 + 7)
    for (const engine of engines) expect(native(view, engine).body).toBe(reference(view))
  })
})
