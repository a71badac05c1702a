import { describe, expect, it } from 'vitest'
import { sendInOrder } from '../src/send-many.js'
import type { SendInfo, SendMessage } from '../src/types.js'

const info = (id: string): SendInfo => ({
  messageId: id,
  envelope: { from: 'a@example.com', to: ['b@example.org'] },
  accepted: ['b@example.org'],
  rejected: [],
  response: '250 ok',
})

const message = (i: number): SendMessage => ({
  from: 'a@example.com',
  to: 'b@example.org',
  text: String(i),
})

describe('sendInOrder', () => {
  it('yields results in submission order even when sends finish out of order', async () => {
    const delays = [30, 1, 20, 5, 0]
    const send = (m: SendMessage) =>
      new Promise<SendInfo>((resolve) =>
        setTimeout(() => resolve(info(m.text!)), delays[Number(m.text)]),
      )
    const results = []
    for await (const r of sendInOrder(send, [0, 1, 2, 3, 4].map(message), 5)) results.push(r)
    expect(results.map((r) => r.index)).toEqual([0, 1, 2, 3, 4])
    expect(results.map((r) => ('info' in r ? r.info.messageId : ''))).toEqual([
      '0',
      '1',
      '2',
      '3',
      '4',
    ])
  })

  it('reports a failed message as an error result and goes on', async () => {
    const send = async (m: SendMessage) => {
      if (m.text === '1') throw new Error('refused')
      return info(m.text!)
    }
    const results = []
    for await (const r of sendInOrder(send, [0, 1, 2].map(message), 2)) results.push(r)
    expect(results[1]).toEqual({ index: 1, error: new Error('refused') })
    expect(results.map((r) => 'info' in r)).toEqual([true, false, true])
  })

  it('pulls 100,000 messages from an async generator lazily, never more than the window ahead', async () => {
    const window = 64
    let pulled = 0
    let yielded = 0
    let maxAhead = 0
    async function* generate() {
      for (let i = 0; i < 100_000; i++) {
        pulled++
        maxAhead = Math.max(maxAhead, pulled - yielded)
        yield message(i)
      }
    }
    const send = async (m: SendMessage) => info(m.text!)
    let lastIndex = -1
    for await (const r of sendInOrder(send, generate(), window)) {
      expect(r.index).toBe(lastIndex + 1)
      lastIndex = r.index
      yielded++
    }
    expect(yielded).toBe(100_000)
    expect(maxAhead).toBeLessThanOrEqual(window + 1)
  })

  it('stops pulling and closes the iterable when the consumer breaks out', async () => {
    let pulled = 0
    let closed = false
    function* generate() {
      try {
        for (let i = 0; ; i++) {
          pulled++
          yield message(i)
        }
      } finally {
        closed = true
      }
    }
    const send = async (m: SendMessage) => info(m.text!)
    for await (const r of sendInOrder(send, generate(), 4)) {
      if (r.index === 9) break
    }
    expect(closed).toBe(true)
    expect(pulled).toBeLessThanOrEqual(10 + 4)
  })

  it('takes no more messages once the signal aborts, and reports the ones already taken', async () => {
    const controller = new AbortController()
    let pulled = 0
    function* generate() {
      for (let i = 0; ; i++) {
        pulled++
        yield message(i)
      }
    }
    const send = async (m: SendMessage, o?: { signal?: AbortSignal }) => {
      if (o?.signal?.aborted) throw o.signal.reason
      return info(m.text!)
    }
    const results = []
    for await (const r of sendInOrder(send, generate(), 8, { signal: controller.signal })) {
      results.push(r)
      if (r.index === 20) controller.abort()
    }
    expect(results.map((r) => r.index)).toEqual(Array.from({ length: results.length }, (_, i) => i))
    expect(results.length).toBeLessThanOrEqual(21 + 8)
    expect(pulled).toBe(results.length)
  })

  it('rejects a window that is not a positive integer', async () => {
    const send = async (m: SendMessage) => info(m.text!)
    await expect(sendInOrder(send, [], 0).next()).rejects.toThrow(/window/)
  })
})
