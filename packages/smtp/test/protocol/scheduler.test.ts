import { describe, expect, it } from 'vitest'
import { Scheduler } from '../../src/protocol/scheduler.js'
import type { Operation } from '../../src/protocol/types.js'

/** An operation whose progress the test sets by hand, recording when it starts. */
function op(name: string, started: string[]) {
  const o = {
    committed: false,
    done: false,
    openBdat: false,
    previous: undefined as Operation | undefined,
    start(previous: Operation | undefined) {
      o.previous = previous
      started.push(name)
    },
    interrupted() {},
  }
  return o
}

/** A scheduler with operations a and b added, in that order, and the names of those started. */
function twoQueued() {
  const started: string[] = []
  const s = new Scheduler()
  const a = op('a', started)
  const b = op('b', started)
  s.add(a)
  s.add(b)
  return { started, s, a, b }
}

describe('Scheduler', () => {
  it('starts one operation at a time without pipelining, the next once the last is done', () => {
    const { started, s, a, b } = twoQueued()
    s.pump(false)
    expect(started).toEqual(['a'])
    a.committed = true
    s.pump(false)
    expect(started).toEqual(['a'])
    a.done = true
    s.pump(false)
    expect(started).toEqual(['a', 'b'])
    // A finished predecessor is no longer anyone's business.
    expect(b.previous).toBeUndefined()
  })

  it('pipelines the next operation behind a committed one (RFC 2920)', () => {
    const { started, s, a, b } = twoQueued()
    s.pump(true)
    expect(started).toEqual(['a'])
    a.committed = true
    s.pump(true)
    expect(started).toEqual(['a', 'b'])
    // Still running: b learns what it follows (an open BDAT transaction means RSET first).
    expect(b.previous).toBe(a)
  })

  it('withdraws only what has not started, and hands back everything, started apart from waiting, when the connection ends', () => {
    const { s, a, b } = twoQueued()
    s.pump(true)
    expect(s.withdraw(a)).toBe(false)
    expect(s.busy).toBe(true)
    expect(s.drain()).toEqual({ started: [a], waiting: [b] })
    expect(s.busy).toBe(false)
  })
})
