import { describe, expect, test } from 'vitest'
import { getEnvelope } from '../src/index.js'

describe('getEnvelope', () => {
  test('uses from, and gathers to + cc + bcc as bare addresses', () => {
    expect(
      getEnvelope({
        from: 'Alice <alice@example.com>',
        to: ['"Doe, Jane" <jane@example.org>', 'bob@example.org'],
        cc: 'Carol <carol@example.net>',
        bcc: { name: 'Hidden', address: 'hidden@example.com' },
      }),
    ).toEqual({
      from: 'alice@example.com',
      to: ['jane@example.org', 'bob@example.org', 'carol@example.net', 'hidden@example.com'],
    })
  })

  test('uses the sender when there is one', () => {
    const env = getEnvelope({ from: 'a@example.com, b@example.com', sender: 's@example.com' })
    expect(env.from).toBe('s@example.com')
  })

  test('removes duplicates: domains case-insensitive, local parts exact, first spelling kept', () => {
    expect(
      getEnvelope({
        from: 'a@example.com',
        to: ['Bob@Example.ORG', 'Bob@example.org'],
        cc: 'bob@example.org',
        bcc: 'BOB@EXAMPLE.ORG',
      }).to,
    ).toEqual(['Bob@Example.ORG', 'bob@example.org', 'BOB@EXAMPLE.ORG'])
  })

  test('expands group members', () => {
    expect(
      getEnvelope({
        from: 'a@example.com',
        to: 'Team: x@example.com, y@example.com;, undisclosed:;',
      }).to,
    ).toEqual(['x@example.com', 'y@example.com'])
  })

  test('writes Unicode domains in Punycode, or as Unicode with smtputf8', () => {
    const input = { from: 'a@bücher.example', to: 'zoë@münchen.example' }
    expect(() => getEnvelope(input)).toThrow('SMTPUTF8')
    expect(getEnvelope({ ...input, to: 'zoe@münchen.example' })).toEqual({
      from: 'a@xn--bcher-kva.example',
      to: ['zoe@xn--mnchen-3ya.example'],
    })
    expect(getEnvelope(input, { smtputf8: true })).toEqual({
      from: 'a@bücher.example',
      to: ['zoë@münchen.example'],
    })
  })

  test('quotes local parts that need it', () => {
    expect(getEnvelope({ from: '"john doe"@example.com' }).from).toBe('"john doe"@example.com')
  })
})
