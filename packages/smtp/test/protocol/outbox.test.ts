import { describe, expect, it } from 'vitest'
import { Outbox } from '../../src/protocol/outbox.js'

describe('Outbox', () => {
  it('hands over what was queued once, in order, and counts every chunk ever queued', () => {
    const out = new Outbox()
    expect(out.take()).toBeUndefined()
    out.push('MAIL FROM:<a@x.org>\r\n')
    out.push(new Uint8Array([1, 2]))
    expect(out.position).toBe(2)
    expect(out.take()).toEqual(['MAIL FROM:<a@x.org>\r\n', new Uint8Array([1, 2])])
    expect(out.take()).toBeUndefined()
    out.push('DATA\r\n')
    expect(out.position).toBe(3)
  })
})
