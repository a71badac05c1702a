import { describe, expect, it } from 'vitest'
import { formatEvent } from '../../src/http/events.js'
import type { InboxMessage } from '../../src/types.js'

describe('formatEvent', () => {
  it('writes one event with its data on one line, however many lines the message has', () => {
    const message = { id: 'x', subject: 'a\r\nb', text: 'line 1\nline 2\n' } as InboxMessage
    const text = formatEvent({ type: 'message', message })
    expect(text).toBe(`event: message\ndata: ${JSON.stringify(message)}\n\n`)
    expect(text.split('\n')).toHaveLength(4)
    expect(formatEvent({ type: 'delete', id: 'x' })).toBe('event: delete\ndata: {"id":"x"}\n\n')
  })
})
