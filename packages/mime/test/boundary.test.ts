import { describe, expect, test } from 'vitest'
import { assignBoundaries } from '../src/boundary.js'
import type { LeafPart, MultipartPart, Part } from '../src/tree.js'

const leaf = (body: string, freeText = true): LeafPart => ({
  kind: 'leaf',
  headers: ['Content-Type: text/plain'],
  body: [body],
  freeText,
})
const multi = (...children: Part[]): MultipartPart => ({
  kind: 'multipart',
  subtype: 'mixed',
  children,
})

describe('assignBoundaries', () => {
  test('gives every multipart a distinct boundary of at most 70 characters', () => {
    const root = multi(multi(leaf('a'), leaf('b')), multi(leaf('c'), multi(leaf('d'), leaf('e'))))
    const chosen = [...assignBoundaries(root, undefined).values()]
    expect(chosen).toHaveLength(4)
    expect(new Set(chosen).size).toBe(4)
    for (const b of chosen) {
      expect(b.length).toBeLessThanOrEqual(70)
      for (const other of chosen) if (other !== b) expect(other.startsWith(b)).toBe(false)
    }
  })

  test('numbers injected boundaries in output order, outermost first', () => {
    const inner = multi(leaf('a'), leaf('b'))
    const root = multi(inner, leaf('c'))
    const chosen = assignBoundaries(root, (i) => `b${i}x`)
    expect(chosen.get(root)).toBe('b0x')
    expect(chosen.get(inner)).toBe('b1x')
  })

  test('draws again when a default boundary occurs in 7bit content', () => {
    // Content holding every boundary the first draw could produce is impossible to build, so
    // check the rule itself: the chosen boundary never occurs in any free-text body.
    const root = multi(leaf('--=_0_ and =_0_'), leaf('x'))
    const b = assignBoundaries(root, undefined).get(root)!
    expect('--=_0_ and =_0_'.includes(b)).toBe(false)
  })

  test('skips scanning encoded bodies only when the boundary holds "=_"', () => {
    const encoded = leaf('QUJD=_0_', false)
    expect(() => assignBoundaries(multi(encoded, leaf('x')), () => 'QUJD')).toThrow('occurs')
  })
})
