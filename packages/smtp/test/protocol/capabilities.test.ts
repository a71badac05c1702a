import { describe, expect, it } from 'vitest'
import { has, parseCapabilities } from '../../src/protocol/capabilities.js'

describe('parseCapabilities', () => {
  it('upper-cases keywords and keeps parameters', () => {
    const caps = parseCapabilities([
      'mx hello',
      'size 35882577',
      'Auth plain LOGIN',
      'pipelining',
      '8BITMIME',
    ])
    expect(caps).toEqual({
      extensions: { SIZE: ['35882577'], AUTH: ['PLAIN', 'LOGIN'], PIPELINING: [], '8BITMIME': [] },
      size: 35882577,
      auth: ['PLAIN', 'LOGIN'],
    })
    expect(has(caps, 'PIPELINING')).toBe(true)
    expect(JSON.parse(JSON.stringify(caps))).toEqual(caps)
  })

  it("reads the old 'AUTH=' form and merges it with AUTH", () => {
    expect(parseCapabilities(['mx', 'AUTH LOGIN', 'AUTH=LOGIN PLAIN']).auth).toEqual([
      'LOGIN',
      'PLAIN',
    ])
  })

  it('leaves size out for SIZE 0 (no limit) and bare SIZE', () => {
    expect(parseCapabilities(['mx', 'SIZE 0']).size).toBeUndefined()
    expect(parseCapabilities(['mx', 'SIZE']).size).toBeUndefined()
  })
})
