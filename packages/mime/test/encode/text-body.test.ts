import { describe, expect, test } from 'vitest'
import { chooseTextEncoding, pushTextBody } from '../../src/encode/text-body.js'

describe('chooseTextEncoding', () => {
  test('uses 7bit for ASCII with short lines', () => {
    expect(chooseTextEncoding('Hello\nWorld\n.dot is fine')).toBe('7bit')
  })

  test('uses quoted-printable for long lines, mostly-ASCII text, controls and From lines', () => {
    expect(chooseTextEncoding('x'.repeat(79))).toBe('quoted-printable')
    expect(chooseTextEncoding('Grüße aus Köln, wie geht es dir heute?')).toBe('quoted-printable')
    expect(chooseTextEncoding('bell\x07')).toBe('quoted-printable')
    expect(chooseTextEncoding('hi\nFrom me')).toBe('quoted-printable')
  })

  test('uses base64 for mostly non-ASCII text', () => {
    expect(chooseTextEncoding('日本語のテキストです。')).toBe('base64')
  })
})

describe('pushTextBody', () => {
  test('writes CRLF line endings in every encoding', () => {
    for (const encoding of ['7bit', 'quoted-printable', 'base64'] as const) {
      const out: string[] = []
      pushTextBody('a\nb\rc', encoding, out)
      expect(out.join('')).not.toMatch(/\r(?!\n)|(?<!\r)\n/)
    }
    const out: string[] = []
    pushTextBody('a\nb', 'base64', out)
    expect(Buffer.from(out.join(''), 'base64').toString()).toBe('a\r\nb')
  })
})
