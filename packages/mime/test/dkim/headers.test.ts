import { describe, expect, it } from 'vitest'
import { DEFAULT_SIGNED_HEADERS, selectHeaders } from '../../src/dkim/headers.js'
import { splitMessage } from '../../src/dkim/message.js'

const { fields } = splitMessage(
  'Received: x\r\nFrom: a@example.com\r\nTo: b@example.org\r\nX-Tag: 1\r\nTo: c@example.org\r\nSubject: s\r\n\r\n',
)

describe('selectHeaders', () => {
  it('by default lists the present default fields, one entry per instance, and From once more', () => {
    const selection = selectHeaders(fields, DEFAULT_SIGNED_HEADERS, ['from'], false)
    expect(selection.names).toEqual(['from', 'from', 'to', 'to', 'subject'])
  })

  it('takes instances from the bottom up (RFC 6376 5.4.2)', () => {
    const selection = selectHeaders(fields, DEFAULT_SIGNED_HEADERS, ['from'], false)
    expect(selection.fields.map((f) => f.text)).toEqual([
      'From: a@example.com',
      'To: c@example.org',
      'To: b@example.org',
      'Subject: s',
    ])
  })

  it('lists explicitly chosen names even when absent, signing their absence', () => {
    const selection = selectHeaders(fields, ['from', 'x-tag', 'reply-to'], [], true)
    expect(selection.names).toEqual(['from', 'x-tag', 'reply-to'])
    expect(selection.fields.map((f) => f.name)).toEqual(['from', 'x-tag'])
  })

  it('oversigns names that are not among the chosen ones too', () => {
    const selection = selectHeaders(fields, ['from'], ['from', 'to', 'cc'], true)
    expect(selection.names).toEqual(['from', 'from', 'to', 'to', 'to', 'cc'])
  })

  it('never signs fields that were not chosen', () => {
    const selection = selectHeaders(fields, DEFAULT_SIGNED_HEADERS, ['from'], false)
    expect(selection.fields.map((f) => f.name)).not.toContain('received')
    expect(selection.fields.map((f) => f.name)).not.toContain('x-tag')
  })
})
