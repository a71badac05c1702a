import { parseWithMailparser, parseWithPython } from '@mail/testkit'
import { describe, expect, test } from 'vitest'
import { buildMessage } from '../../src/index.js'

describe('address strings and names', () => {
  test('the older "address (Name)" form and comments in names reach both parsers as names', async () => {
    const raw = buildMessage({
      from: 'alice@example.com (Alice Example)',
      to: ['Bob (work) <bob@example.org>', 'carol@example.net (Carol)'],
      text: 'hi',
    })
    expect(raw).toContain('From: Alice Example <alice@example.com>\r\n')
    expect(raw).toContain('To: "Bob (work)" <bob@example.org>, Carol <carol@example.net>\r\n')
    const expected = [
      { name: 'Bob (work)', address: 'bob@example.org' },
      { name: 'Carol', address: 'carol@example.net' },
    ]
    const py = await parseWithPython(raw)
    expect(py.defects).toEqual([])
    expect(py.headerDefects).toEqual([])
    expect(py.from).toEqual([{ name: 'Alice Example', address: 'alice@example.com' }])
    expect(py.to).toEqual(expected)
    const mp = await parseWithMailparser(raw)
    expect(mp.to).toEqual(expected)
  })

  test('a display name with words too long to fold is written as folded encoded-words', async () => {
    const names = ['a'.repeat(1000), `Dr ${'x'.repeat(300)} Jones`, `${'y'.repeat(70)}`]
    const raw = buildMessage({
      from: 'alice@example.com',
      to: names.map((name, i) => ({ name, address: `n${i}@example.org` })),
      text: 'hi',
    })
    // RFC 2047 section 2: a line holding an encoded-word is at most 76 characters.
    for (const line of raw.split('\r\n')) expect(line.length).toBeLessThanOrEqual(76)
    const py = await parseWithPython(raw)
    expect(py.defects).toEqual([])
    expect(py.headerDefects).toEqual([])
    // Python puts a space between adjacent encoded-words of a display name (RFC 2047 section
    // 6.2 says to drop it); mailparser, below, reads them exactly.
    const squeeze = (s: string) => s.replace(/\s+/g, '')
    expect(py.to.map((a) => squeeze(a.name))).toEqual(names.map(squeeze))
    const mp = await parseWithMailparser(raw)
    expect(mp.to.map((a) => a.name)).toEqual(names)
  })

  test('names with edge spaces, inner runs and tabs reach both parsers unchanged', async () => {
    const names = [' Bob', 'Bob ', 'Bob  Smith', 'Bob\tSmith']
    const raw = buildMessage({
      from: 'alice@example.com',
      to: names.map((name, i) => ({ name, address: `n${i}@example.org` })),
      text: 'hi',
    })
    const mp = await parseWithMailparser(raw)
    expect(mp.to.map((a) => a.name)).toEqual(names)
    const py = await parseWithPython(raw)
    expect(py.defects).toEqual([])
    expect(py.headerDefects).toEqual([])
    // Python collapses whitespace runs inside display names (a parser quirk): compare the rest.
    expect(py.to.map((a) => a.name.replace(/\s+/g, ' '))).toEqual(
      names.map((n) => n.replace(/\s+/g, ' ')),
    )
  })

  test('a group with a non-ASCII name has whitespace after its encoded-word', async () => {
    const raw = buildMessage({ from: 'a@example.com', to: 'Zoë Grüße: b@example.org;', text: 'x' })
    expect(raw).toMatch(/^To: =\?utf-8\?[QB]\?[^\r\n]*\?= : b@example\.org;\r$/m)
    const py = await parseWithPython(raw)
    expect(py.headerDefects).toEqual([])
  })
})
