import { describe, expect, it } from 'vitest'
import { Recipients } from '../../src/protocol/recipients.js'
import { makeReply } from '../../src/protocol/reply-parser.js'

describe('Recipients', () => {
  it('keeps accepted and refused recipients in RCPT order and knows when all were refused', () => {
    const r = new Recipients(2)
    r.answered('b@x.org', makeReply(450, ['4.2.1 busy']))
    expect(r.heard).toBe(true)
    expect(r.allRefused).toBe(false)
    r.answered('c@x.org', makeReply(550, ['5.1.1 unknown']))
    expect(r.allRefused).toBe(true)
    expect(r.rejected).toEqual([
      { address: 'b@x.org', code: 450, enhancedCode: '4.2.1', message: 'busy' },
      { address: 'c@x.org', code: 550, enhancedCode: '5.1.1', message: 'unknown' },
    ])
  })

  it('reports an all-refused transaction with the permanent code when there is one', () => {
    const r = new Recipients(2)
    r.answered('b@x.org', makeReply(550, ['5.1.1 unknown']))
    r.answered('c@x.org', makeReply(452, ['4.2.2 full']))
    expect(r.error('rcpt', 'RCPT TO')).toMatchObject({
      code: 550,
      enhancedCode: '5.1.1',
      permanent: true,
      transient: false,
      command: 'RCPT TO',
      rejected: r.rejected,
    })
  })
})
