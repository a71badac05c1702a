import { describe, expect, test } from 'vitest'
import { parseAddressList, parseAddrSpec } from '../../src/address/parse.js'
import { MimeError } from '../../src/errors.js'

const list = (s: string) => parseAddressList(s, 'to', true)

describe('parseAddressList', () => {
  test('reads a bare address', () => {
    expect(list('alice@example.com')).toEqual([{ name: '', local: 'alice', domain: 'example.com' }])
  })

  test('reads a display name with an angle address', () => {
    expect(list('Alice Smith <alice@example.com>')).toEqual([
      { name: 'Alice Smith', local: 'alice', domain: 'example.com' },
    ])
  })

  test('reads quoted display names with commas, quotes and backslashes', () => {
    expect(list('"Doe, Jane \\"JD\\" \\\\ x" <jane@example.com>')).toEqual([
      { name: 'Doe, Jane "JD" \\ x', local: 'jane', domain: 'example.com' },
    ])
  })

  test('reads a comma-separated list, skipping empty elements', () => {
    const got = list('a@example.com, "B, b" <b@example.org>,, c@example.net,')
    expect(got.map((m) => ('local' in m ? m.local : ''))).toEqual(['a', 'b', 'c'])
  })

  test('keeps dots and collapses whitespace in display names', () => {
    expect(list('Dr.  J.  Smith <j@example.com>')[0]).toMatchObject({ name: 'Dr. J. Smith' })
  })

  test('takes an unquoted address before an angle address as the display name', () => {
    expect(list('bob@example.com <bob@example.org>, c@example.com')).toEqual([
      { name: 'bob@example.com', local: 'bob', domain: 'example.org' },
      { name: '', local: 'c', domain: 'example.com' },
    ])
  })

  test('reads group syntax, empty and with members', () => {
    expect(list('undisclosed-recipients:;')).toEqual([
      { group: 'undisclosed-recipients', members: [] },
    ])
    expect(list('Friends: a@example.com, B <b@example.com>;, c@example.com')).toEqual([
      {
        group: 'Friends',
        members: [
          { name: '', local: 'a', domain: 'example.com' },
          { name: 'B', local: 'b', domain: 'example.com' },
        ],
      },
      { name: '', local: 'c', domain: 'example.com' },
    ])
  })

  test('rejects groups where only mailboxes are allowed', () => {
    expect(() => parseAddressList('G: a@example.com;', 'from', false)).toThrow(MimeError)
  })

  test('reads the comments around a bare address as its display name, nested ones included', () => {
    // The older form of a display name, read as Python's email.utils and Nodemailer read it.
    expect(list('(c (nested)) alice@example.com (Alice)')).toEqual([
      { name: 'c (nested) Alice', local: 'alice', domain: 'example.com' },
    ])
    expect(list('bob@x.example (Bob Smith), carol@y.example (Carol \\) Jones)')).toEqual([
      { name: 'Bob Smith', local: 'bob', domain: 'x.example' },
      { name: 'Carol ) Jones', local: 'carol', domain: 'y.example' },
    ])
    expect(list('bob@x.example')).toEqual([{ name: '', local: 'bob', domain: 'x.example' }])
  })

  test('keeps comments inside a display name, and ignores them in an angle address', () => {
    expect(list('Bob (work) <bob(c)@x.example (after)>')).toEqual([
      { name: 'Bob (work)', local: 'bob', domain: 'x.example' },
    ])
  })

  test('reads quoted local parts and domain literals', () => {
    expect(list('"john doe"@[192.0.2.1]')).toEqual([
      { name: '', local: 'john doe', domain: '[192.0.2.1]' },
    ])
  })

  test('reads Unicode display names, local parts and domains', () => {
    expect(list('Zoë <zoë@bücher.example>')).toEqual([
      { name: 'Zoë', local: 'zoë', domain: 'bücher.example' },
    ])
  })

  test.each([
    ['alice', 'missing "@"'],
    ['alice@', 'missing domain'],
    ['@example.com', 'missing local part'],
    ['a..b@example.com', 'misplaced'],
    ['.a@example.com', 'misplaced'],
    ['a.@example.com', 'ends with'],
    ['john doe@example.com', 'joined by'],
    ['Alice <alice@example.com', 'expected ">"'],
    ['Alice <alice>', 'expected "@"'],
    ['"unterminated <a@example.com>', 'unterminated quoted'],
    ['(unterminated a@example.com', 'unterminated comment'],
    ['a@example.com b@example.com', 'expected ","'],
    ['"a<b"@example.com', 'contains "<"'],
    ['G: a@example.com', 'expected "," or ";" in group'],
    ['G: a@example.com,', 'unterminated group'],
    ['a@exa..mple.com', 'empty domain label'],
    ['a@[1.2.3.4', 'invalid domain literal'],
  ])('rejects %j (%s)', (input, message) => {
    expect(() => list(input)).toThrow(message)
    try {
      list(input)
    } catch (err) {
      expect(err).toBeInstanceOf(MimeError)
      expect((err as MimeError).field).toBe('to')
    }
  })

  test('finishes on 100,000-character hostile inputs', () => {
    const n = 100_000
    const hostile = [
      '"'.repeat(n),
      '<'.repeat(n),
      '\\'.repeat(n),
      '('.repeat(n),
      '('.repeat(n / 2) + ')'.repeat(n / 2) + 'a@example.com',
      ','.repeat(n),
      'a'.repeat(n),
      'a.'.repeat(n / 2) + '@',
      '"a" '.repeat(n / 4),
      'G:'.repeat(n / 2),
      '<a@b>'.repeat(n / 5),
      'a@' + 'b.'.repeat(n / 2),
      '"\\'.repeat(n / 2),
      'a'.repeat(n) + '@' + 'b'.repeat(n),
    ]
    for (const input of hostile) {
      let outcome: unknown
      try {
        outcome = list(input)
      } catch (err) {
        outcome = err
      }
      expect(outcome instanceof MimeError || Array.isArray(outcome)).toBe(true)
    }
  })
})

describe('parseAddrSpec', () => {
  test('reads one bare address', () => {
    expect(parseAddrSpec('a.b+tag@example.com', 'from')).toEqual({
      name: '',
      local: 'a.b+tag',
      domain: 'example.com',
    })
  })

  test('rejects a display-name form', () => {
    expect(() => parseAddrSpec('A <a@example.com>', 'from')).toThrow(MimeError)
    // The object form names the mailbox apart: a comment in its address would be lost.
    expect(() => parseAddrSpec('a@example.com (Alice)', 'from')).toThrow(/comment/)
  })

  test('rejects anything after the address', () => {
    expect(() => parseAddrSpec('a@example.com, b@example.com', 'from')).toThrow('unexpected')
  })
})
