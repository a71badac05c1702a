import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { contentDisposition, safeContentType } from '../../src/http/respond.js'

describe('contentDisposition', () => {
  it("is an attachment with the name as UTF-8'' percent-encoded octets (RFC 8187)", () => {
    expect(contentDisposition('report.pdf')).toBe("attachment; filename*=UTF-8''report.pdf")
    expect(contentDisposition('Résumé 2026.pdf')).toBe(
      "attachment; filename*=UTF-8''R%C3%A9sum%C3%A9%202026.pdf",
    )
    expect(contentDisposition('a";\r\nX-Evil: 1')).toBe(
      "attachment; filename*=UTF-8''a%22%3B%0D%0AX-Evil%3A%201",
    )
  })

  it('gives back any name, and nothing a header parser could split on', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (name) => {
        const value = contentDisposition(name)
        const encoded = value.slice("attachment; filename*=UTF-8''".length)
        expect(encoded).toMatch(/^[A-Za-z0-9!#$&+\-.^_`|~%]*$/)
        expect(decodeURIComponent(encoded)).toBe(name)
      }),
    )
  })
})

describe('safeContentType', () => {
  it('keeps a well-formed type and replaces anything else', () => {
    expect(safeContentType('image/png')).toBe('image/png')
    expect(safeContentType('application/vnd.ms-excel')).toBe('application/vnd.ms-excel')
    for (const bad of ['text/html\r\nX: 1', 'image', 'a/b; charset=x', '']) {
      expect(safeContentType(bad)).toBe('application/octet-stream')
    }
  })
})
