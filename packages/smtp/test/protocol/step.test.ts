import { describe, expect, it } from 'vitest'
import { makeReply, type Reply } from '../../src/protocol/reply-parser.js'
import { STEPS, Step } from '../../src/protocol/step.js'

describe('Step', () => {
  it('hands its reply to its owner, with itself so the owner knows what it answers', () => {
    const seen: [Step, Reply][] = []
    const step = new Step({
      owner: { answer: (s, r) => seen.push([s, r]) },
      spec: STEPS.rcpt,
      index: 2,
    })
    const reply = makeReply(250, ['2.1.5 Ok'])
    step.handle(reply)
    expect(seen).toEqual([[step, reply]])
    expect(step.index).toBe(2)
  })

  it('names the end of data in messages, and the verb otherwise', () => {
    const owner = { answer: () => {} }
    expect(new Step({ owner, spec: STEPS.dataEnd }).label).toBe('the end of the message data')
    expect(new Step({ owner, spec: STEPS.rcpt }).label).toBe('RCPT TO')
  })
})
