import { describe, expect, it } from 'vitest'
import { makeReply, type Reply } from '../../src/protocol/reply-parser.js'
import { END, RCPT, Step } from '../../src/protocol/step.js'

describe('Step', () => {
  it('hands its reply to its owner, with itself so the owner knows what it answers', () => {
    const seen: [Step, Reply][] = []
    const step = new Step(
      { answer: (s, r) => seen.push([s, r]) },
      RCPT,
      'rcpt',
      'RCPT TO',
      'command',
      2,
      undefined,
    )
    const reply = makeReply(250, ['2.1.5 Ok'])
    step.handle(reply)
    expect(seen).toEqual([[step, reply]])
    expect(step.index).toBe(2)
  })

  it('names the end of data in messages, and the verb otherwise', () => {
    const owner = { answer: () => {} }
    expect(new Step(owner, END, 'message', 'DATA', 'data', 0, undefined).label).toBe(
      'the end of the message data',
    )
    expect(new Step(owner, RCPT, 'rcpt', 'RCPT TO', 'command', 0, undefined).label).toBe('RCPT TO')
  })
})
