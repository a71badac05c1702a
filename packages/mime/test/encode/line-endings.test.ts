import { expect, test } from 'vitest'
import { toCrlf } from '../../src/encode/line-endings.js'

test('turns LF, CR, CRLF and mixed endings into CRLF', () => {
  expect(toCrlf('a\nb\rc\r\nd\n\re')).toBe('a\r\nb\r\nc\r\nd\r\n\r\ne')
  expect(toCrlf('\r\r\n\n')).toBe('\r\n\r\n\r\n')
})

test('returns text without line breaks unchanged', () => {
  expect(toCrlf('plain')).toBe('plain')
})
