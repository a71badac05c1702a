import { domainToASCII } from 'node:url'
import { parseWithMailparser, parseWithPython } from '@mail/testkit'
import { describe, expect, test } from 'vitest'
import { composeMessage, getEnvelope } from '../../src/index.js'

describe('SMTPUTF8 output (RFC 6532)', () => {
  const input = {
    from: 'Zoë <zoë@bücher.example>',
    to: ['用户@例子.广告', 'bob@example.org'],
    subject: 'Grüße',
    text: 'Hallo',
  }

  test('writes Unicode addresses as raw UTF-8 that both parsers read back', async () => {
    const { raw, smtputf8, eightBit } = composeMessage(input, { smtputf8: true })
    expect({ smtputf8, eightBit }).toEqual({ smtputf8: true, eightBit: true })
    expect(raw).toContain('From: =?utf-8?Q?Zo=C3=AB?= <zoë@bücher.example>\r\n')
    const py = await parseWithPython(raw)
    expect(py.defects).toEqual([])
    // BytesParser with policy.default reads 8-bit header octets as undecodable bytes and flags
    // RFC 6532 local parts (it lacks an SMTPUTF8 reading mode); nothing else may be flagged.
    const rfc6532 = /: (NonASCIILocalPartDefect|UndecodableBytesDefect)$/
    expect(py.headerDefects.filter((d) => !rfc6532.test(d))).toEqual([])
    // For the same reason Python shows the raw octets as U+FFFD; mailparser reads UTF-8.
    expect(py.from.map((a) => a.name)).toEqual(['Zoë'])
    expect(py.to).toHaveLength(2)
    const mp = await parseWithMailparser(raw)
    expect(mp.from).toEqual([{ name: 'Zoë', address: 'zoë@bücher.example' }])
    expect(mp.to.map((a) => a.address)).toEqual(['用户@例子.广告', 'bob@example.org'])
    expect(mp.subject).toBe('Grüße')
  })

  test('without SMTPUTF8, Unicode domains become Punycode and Unicode local parts are refused', async () => {
    expect(() => composeMessage(input)).toThrow('SMTPUTF8')
    const ascii = { ...input, from: 'Zoë <zoe@bücher.example>', to: 'user@例子.广告' }
    const { raw, smtputf8, eightBit } = composeMessage(ascii)
    expect({ smtputf8, eightBit }).toEqual({ smtputf8: false, eightBit: false })
    expect(raw).toMatch(/^[\x00-\x7f]*$/)
    const py = await parseWithPython(raw)
    expect(py.defects).toEqual([])
    expect(py.headerDefects).toEqual([])
    expect(py.from).toEqual([{ name: 'Zoë', address: 'zoe@xn--bcher-kva.example' }])
    expect(getEnvelope(ascii).to).toEqual([`user@${domainToASCII('例子.广告')}`])
  })
})
