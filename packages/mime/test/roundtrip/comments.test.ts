import { parseWithMailparser, parseWithPython } from '@mail/testkit'
import { describe, expect, test } from 'vitest'
import { buildMessage } from '../../src/index.js'

describe('comments in address strings', () => {
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
})
