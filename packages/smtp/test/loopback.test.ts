import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { isLoopbackAddress } from '../src/loopback.js'

describe('isLoopbackAddress', () => {
  it.each([
    '127.0.0.1',
    '127.0.0.53',
    '127.255.255.254',
    '::1',
    '0:0:0:0:0:0:0:1',
    '0000:0000:0000:0000:0000:0000:0000:0001',
    '[::1]',
    '::ffff:127.0.0.1',
    '::FFFF:127.1.2.3',
    '::ffff:7f00:1',
    '0:0:0:0:0:ffff:127.0.0.1',
  ])('counts %s as loopback', (address) => {
    expect(isLoopbackAddress(address)).toBe(true)
  })

  it.each([
    '128.0.0.1',
    '126.255.255.255',
    '10.0.0.1',
    '192.0.2.25',
    '0.0.0.0',
    '::',
    '::2',
    '1::1',
    '::ffff:10.0.0.1',
    '::ffff:0:127.0.0.1',
    'fe80::1',
    '127.0.0.256',
    '127.0.0',
    'localhost',
    'relay.localhost',
    'x.127.0.0.1',
    '',
    undefined,
  ])('does not count %s as loopback', (address) => {
    expect(isLoopbackAddress(address)).toBe(false)
  })

  it('decides every IPv4 address by its first octet alone', () => {
    fc.assert(
      fc.property(fc.ipV4(), (address) => {
        expect(isLoopbackAddress(address)).toBe(address.startsWith('127.'))
        expect(isLoopbackAddress(`::ffff:${address}`)).toBe(address.startsWith('127.'))
      }),
    )
  })

  it('finds no loopback among IPv6 addresses but ::1 and mapped 127/8', () => {
    fc.assert(
      fc.property(fc.ipV6(), (address) => {
        const expanded = new URL(`http://[${address}]/`).hostname
        const loop =
          expanded === '[::1]' || /^\[::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}\]$/.test(expanded)
        expect(isLoopbackAddress(address)).toBe(loop)
      }),
    )
  })
})
