import { createHash, createHmac } from 'node:crypto'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { hex, hmacMd5, md5 } from '../../src/auth/md5.js'

const enc = (s: string) => new TextEncoder().encode(s)

describe('md5 and hmacMd5', () => {
  it('matches the RFC 1321 test suite', () => {
    expect(hex(md5(enc('')))).toBe('d41d8cd98f00b204e9800998ecf8427e')
    expect(hex(md5(enc('abc')))).toBe('900150983cd24fb0d6963f7d28e17f72')
    expect(hex(md5(enc('message digest')))).toBe('f96b697d7cb7938d525a2f31aaf161d0')
  })

  it('matches the RFC 2104 HMAC-MD5 vector', () => {
    expect(hex(hmacMd5(enc('Jefe'), enc('what do ya want for nothing?')))).toBe(
      '750c783e6ab0b503eaa86e310a5db738',
    )
  })

  it('agrees with node:crypto on any input and key', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 200 }),
        fc.uint8Array({ maxLength: 100 }),
        (data, key) => {
          expect(hex(md5(data))).toBe(createHash('md5').update(data).digest('hex'))
          expect(hex(hmacMd5(key, data))).toBe(createHmac('md5', key).update(data).digest('hex'))
        },
      ),
    )
  })
})
