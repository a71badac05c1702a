import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { fromBase64, toBase64 } from '../../src/dkim/base64.js'

describe('base64', () => {
  it('encodes like Buffer for any bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), (bytes) => {
        expect(toBase64(bytes)).toBe(Buffer.from(bytes).toString('base64'))
      }),
    )
  })

  it('decodes what it encodes, ignoring line breaks and spaces', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), (bytes) => {
        const folded = toBase64(bytes).replace(/(.{7})/g, '$1\r\n ')
        expect(fromBase64(folded)).toEqual(bytes)
      }),
    )
  })

  it('refuses text that is not base64', () => {
    expect(fromBase64('abc')).toBeUndefined()
    expect(fromBase64('ab*d')).toBeUndefined()
    expect(fromBase64('a===')).toBeUndefined()
  })
})
