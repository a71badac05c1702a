import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { Fifo } from '../../src/protocol/fifo.js'

describe('Fifo', () => {
  it('behaves like an array used as a queue, whatever the operations', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('push' as const), value: fc.integer() }),
      fc.record({ kind: fc.constant('unshift' as const), value: fc.integer() }),
      fc.record({ kind: fc.constant('shift' as const) }),
      fc.record({ kind: fc.constant('remove' as const), value: fc.integer({ min: -3, max: 3 }) }),
    )
    fc.assert(
      fc.property(fc.array(op, { maxLength: 3000 }), (ops) => {
        const q = new Fifo<number>()
        const model: number[] = []
        for (const o of ops) {
          if (o.kind === 'push') {
            q.push(o.value)
            model.push(o.value)
          } else if (o.kind === 'unshift') {
            q.unshift(o.value)
            model.unshift(o.value)
          } else if (o.kind === 'shift') expect(q.shift()).toBe(model.shift())
          else {
            const i = model.indexOf(o.value)
            expect(q.remove(o.value)).toBe(i >= 0)
            if (i >= 0) model.splice(i, 1)
          }
          expect(q.length).toBe(model.length)
          expect(q.peek()).toBe(model[0])
        }
        expect(q.drain()).toEqual(model)
        expect(q.length).toBe(0)
      }),
      { numRuns: 50 },
    )
  })
})
