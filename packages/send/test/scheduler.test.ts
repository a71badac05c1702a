import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { Failure } from '../src/failure.js'
import type { PoolCommand, PoolEvent, SchedulerConfig } from '../src/pool-events.js'
import { Scheduler } from '../src/scheduler.js'

// Transcripts of the pool's scheduler: events in, commands out, time given by hand. No socket,
// no timer, no sleep.

const config = (over: Partial<SchedulerConfig> = {}): SchedulerConfig => ({
  maxConnections: 4,
  maxMessagesPerConnection: 100,
  maxInFlightPerConnection: 32,
  idleTimeoutMs: 30_000,
  rateLimit: undefined,
  attempts: 3,
  backoffMs: 1000,
  slowDownMs: 60_000,
  ...over,
})

const lost: Failure = { kind: 'transient', started: true, slowDown: false }
const queuedOnLost: Failure = { kind: 'transient', started: false, slowDown: false }
const refused: Failure = { kind: 'permanent', started: true, slowDown: false }
const unknown: Failure = { kind: 'delivery-unknown', started: true, slowDown: false }
const closing421: Failure = { kind: 'transient', started: true, slowDown: true }

/** One scheduler and a clock; `on` returns the commands without wake requests, `all` with them. */
function transcript(over: Partial<SchedulerConfig> = {}) {
  const s = new Scheduler(config(over))
  let now = 0
  const t = {
    at(ms: number) {
      now = ms
      return t
    },
    all: (event: PoolEvent): PoolCommand[] => [...s.handle(event, now)],
    on: (event: PoolEvent): PoolCommand[] => t.all(event).filter((c) => c.type !== 'wake'),
    /** Submits messages `ids` and returns every command they led to. */
    submit: (...ids: number[]) => ids.flatMap((id) => t.on({ type: 'submitted', id })),
    /** Connection `connection` has opened: the commands that led to. */
    opened: (connection: number) => t.on({ type: 'opened', connection }),
    /** Message `id` failed on the wire and took its connection with it. */
    lostOnWire: (id: number) => t.on({ type: 'failed', id, failure: lost, connectionLost: true }),
    get pending() {
      return s.pending
    },
  }
  return t
}

const open = (connection: number): PoolCommand => ({ type: 'open', connection })
const dispatch = (id: number, connection: number): PoolCommand => ({
  type: 'dispatch',
  id,
  connection,
})
const settle = (id: number, outcome: string): PoolCommand =>
  ({ type: 'settle', id, outcome }) as PoolCommand
const retire = (connection: number): PoolCommand => ({ type: 'retire', connection })

describe('Scheduler: attempts', () => {
  it('counts an attempt only for the message whose commands were written to the failed connection', () => {
    // One attempt each: a message charged for someone else's dead connection would fail here.
    const t = transcript({ maxConnections: 1, attempts: 1 })
    expect(t.submit(1, 2, 3)).toEqual([open(1)])
    expect(t.opened(1)).toEqual([dispatch(1, 1), dispatch(2, 1), dispatch(3, 1)])
    // Message 1 was on the wire; 2 and 3 were queued behind it in the client.
    expect(t.lostOnWire(1)).toEqual([settle(1, 'failed')])
    expect(t.on({ type: 'failed', id: 2, failure: queuedOnLost })).toEqual([open(2)])
    expect(t.on({ type: 'failed', id: 3, failure: queuedOnLost })).toEqual([])
    // Back at the front, in submission order, on the fresh connection.
    expect(t.opened(2)).toEqual([dispatch(2, 2), dispatch(3, 2)])
    expect(t.on({ type: 'succeeded', id: 2 })).toEqual([settle(2, 'sent')])
    expect(t.on({ type: 'succeeded', id: 3 })).toEqual([settle(3, 'sent')])
  })

  it('puts a message that was only assigned to a dying connection before later ones', () => {
    const t = transcript({ maxConnections: 1 })
    t.submit(1)
    t.opened(1)
    t.on({ type: 'failed', id: 1, failure: queuedOnLost, connectionLost: true })
    expect(t.submit(2)).toEqual([])
    expect(t.opened(2)).toEqual([dispatch(1, 2), dispatch(2, 2)])
  })

  it('retries a transient failure after the backoff, doubling it, until the attempts are spent', () => {
    const t = transcript({ maxConnections: 1, attempts: 3, backoffMs: 100 })
    t.submit(1)
    t.opened(1)
    expect(t.at(10).all({ type: 'failed', id: 1, failure: lost })).toEqual([
      { type: 'wake', at: 110 },
    ])
    expect(t.at(109).on({ type: 'tick' })).toEqual([])
    expect(t.at(110).on({ type: 'tick' })).toEqual([dispatch(1, 1)])
    expect(t.at(120).all({ type: 'failed', id: 1, failure: lost })).toEqual([
      { type: 'wake', at: 320 },
    ])
    expect(t.at(320).on({ type: 'tick' })).toEqual([dispatch(1, 1)])
    expect(t.at(330).on({ type: 'failed', id: 1, failure: lost })).toEqual([settle(1, 'failed')])
    expect(t.pending).toBe(0)
  })

  it('retries on a fresh connection when the one that failed is gone', () => {
    const t = transcript({ maxConnections: 1, backoffMs: 100 })
    t.submit(1)
    t.opened(1)
    // The queue is empty while the message backs off: nothing is opened yet.
    expect(t.lostOnWire(1)).toEqual([])
    expect(t.at(100).on({ type: 'tick' })).toEqual([open(2)])
    expect(t.opened(2)).toEqual([dispatch(1, 2)])
  })

  it('never retries a permanent refusal', () => {
    const t = transcript({ attempts: 5 })
    t.submit(1)
    t.opened(1)
    expect(t.on({ type: 'failed', id: 1, failure: refused })).toEqual([settle(1, 'failed')])
  })

  it('never resends a message whose delivery is unknown', () => {
    const t = transcript({ attempts: 5, backoffMs: 0 })
    t.submit(1)
    t.opened(1)
    expect(t.on({ type: 'failed', id: 1, failure: unknown, connectionLost: true })).toEqual([
      settle(1, 'delivery-unknown'),
    ])
    expect(t.at(10_000).on({ type: 'tick' })).toEqual([])
  })

  it('never repeats a started attempt of a one-shot body, but sends one that never started', () => {
    const t = transcript({ maxConnections: 1, backoffMs: 0 })
    t.on({ type: 'submitted', id: 1, replayable: false })
    t.on({ type: 'submitted', id: 2, replayable: false })
    t.opened(1)
    expect(t.lostOnWire(1)).toEqual([settle(1, 'failed')])
    expect(t.on({ type: 'failed', id: 2, failure: queuedOnLost })).toEqual([open(2)])
    expect(t.opened(2)).toEqual([dispatch(2, 2)])
  })

  it('retries a one-shot body whose failed attempt never began to read it', () => {
    const t = transcript({ maxConnections: 1, attempts: 2, backoffMs: 0 })
    t.on({ type: 'submitted', id: 1, replayable: false })
    t.opened(1)
    // A 4xx to MAIL, say: the body was not read, so the message can still go.
    expect(t.on({ type: 'failed', id: 1, failure: lost, unread: true })).toContainEqual(
      dispatch(1, 1),
    )
    // Its second attempt read it: no third.
    expect(t.on({ type: 'failed', id: 1, failure: lost })).toEqual([settle(1, 'failed')])
  })
})

describe('Scheduler: opening connections', () => {
  it('backs off openings without spending the waiting messages’ attempts', () => {
    const t = transcript({ maxConnections: 1, attempts: 3, backoffMs: 100 })
    expect(t.submit(1)).toEqual([open(1)])
    expect(t.at(5).all({ type: 'openFailed', connection: 1, failure: lost })).toEqual([
      { type: 'wake', at: 105 },
    ])
    expect(t.at(105).on({ type: 'tick' })).toEqual([open(2)])
    expect(t.at(110).all({ type: 'openFailed', connection: 2, failure: lost })).toEqual([
      { type: 'wake', at: 310 },
    ])
    expect(t.at(310).on({ type: 'tick' })).toEqual([open(3)])
    // The server takes connections again: the message still has all three attempts.
    expect(t.opened(3)).toEqual([dispatch(1, 3)])
    t.on({ type: 'failed', id: 1, failure: lost })
    t.at(410).on({ type: 'tick' })
    t.on({ type: 'failed', id: 1, failure: lost })
    expect(t.at(610).on({ type: 'tick' })).toEqual([dispatch(1, 3)])
  })

  it('fails the waiting messages as unreachable after `attempts` rounds of failed openings', () => {
    const t = transcript({ maxConnections: 4, attempts: 2, backoffMs: 10 })
    expect(t.submit(1, 2)).toEqual([open(1), open(2)])
    expect(t.on({ type: 'openFailed', connection: 1, failure: lost })).toEqual([])
    expect(t.on({ type: 'openFailed', connection: 2, failure: lost })).toEqual([])
    // After a failure, one probe at a time.
    expect(t.at(100).on({ type: 'tick' })).toEqual([open(3)])
    expect(t.on({ type: 'openFailed', connection: 3, failure: lost })).toEqual([
      settle(1, 'unreachable'),
      settle(2, 'unreachable'),
    ])
  })

  it('fails the waiting messages at once when an opening is refused for good', () => {
    const t = transcript({ attempts: 3 })
    t.submit(1)
    expect(t.on({ type: 'openFailed', connection: 1, failure: refused })).toEqual([
      settle(1, 'unreachable'),
    ])
  })

  it('keeps serving the queue from live connections while openings fail', () => {
    const t = transcript({ maxConnections: 2, maxInFlightPerConnection: 1, backoffMs: 100 })
    expect(t.submit(1, 2)).toEqual([open(1), open(2)])
    expect(t.opened(1)).toEqual([dispatch(1, 1)])
    expect(t.on({ type: 'openFailed', connection: 2, failure: lost })).toEqual([])
    expect(t.on({ type: 'succeeded', id: 1 })).toEqual([settle(1, 'sent'), dispatch(2, 1)])
  })

  it('opens one connection fewer for a while after a 421, then one more again', () => {
    const t = transcript({
      maxConnections: 2,
      maxInFlightPerConnection: 1,
      slowDownMs: 1000,
      backoffMs: 5000,
    })
    expect(t.submit(1, 2)).toEqual([open(1), open(2)])
    t.opened(1)
    t.opened(2)
    expect(t.submit(3)).toEqual([])
    // 421 on connection 2: it is gone and message 2 backs off. A slot is free, but the server
    // asked for less: message 3 waits for connection 1 or for the end of the slow-down.
    expect(
      t.at(10).all({ type: 'failed', id: 2, failure: closing421, connectionLost: true }),
    ).toEqual([{ type: 'wake', at: 1010 }])
    expect(t.at(1009).on({ type: 'tick' })).toEqual([])
    expect(t.at(1010).on({ type: 'tick' })).toEqual([open(3)])
  })

  it('lowers the limit when an opening itself meets a 421', () => {
    const t = transcript({
      maxConnections: 3,
      maxInFlightPerConnection: 1,
      slowDownMs: 5000,
      backoffMs: 10,
    })
    expect(t.submit(1, 2, 3)).toEqual([open(1), open(2), open(3)])
    t.opened(1)
    t.opened(2)
    const greeting421: Failure = { ...closing421, started: false }
    expect(t.on({ type: 'openFailed', connection: 3, failure: greeting421 })).toEqual([])
    // Two were open when the third met 421: no third one until the slow-down ends.
    expect(t.at(1000).on({ type: 'tick' })).toEqual([])
    expect(t.at(5000).on({ type: 'tick' })).toEqual([open(4)])
  })
})

describe('Scheduler: width', () => {
  it('opens another connection rather than pipelining behind a busy one', () => {
    const t = transcript({ maxConnections: 3 })
    t.submit(1)
    t.opened(1)
    expect(t.submit(2)).toEqual([open(2)])
    expect(t.submit(3)).toEqual([open(3)])
    expect(t.opened(3)).toEqual([dispatch(2, 3)])
    // Message 3 waits for connection 2, or for whichever becomes idle first.
    expect(t.on({ type: 'succeeded', id: 1 })).toEqual([settle(1, 'sent'), dispatch(3, 1)])
  })

  it('pipelines behind busy connections once no more can be opened, up to the limit', () => {
    const t = transcript({ maxConnections: 1, maxInFlightPerConnection: 2 })
    expect(t.submit(1, 2, 3)).toEqual([open(1)])
    expect(t.opened(1)).toEqual([dispatch(1, 1), dispatch(2, 1)])
    expect(t.on({ type: 'succeeded', id: 1 })).toEqual([settle(1, 'sent'), dispatch(3, 1)])
  })

  it('pipelines the messages beyond those the openings in progress will take', () => {
    const t = transcript({ maxConnections: 2, maxInFlightPerConnection: 8 })
    expect(t.submit(1, 2, 3, 4)).toEqual([open(1), open(2)])
    expect(t.opened(1)).toEqual([dispatch(1, 1), dispatch(2, 1), dispatch(3, 1)])
    expect(t.opened(2)).toEqual([dispatch(4, 2)])
  })
})

describe('Scheduler: connections over time', () => {
  it('replaces a connection after maxMessagesPerConnection messages', () => {
    const t = transcript({ maxConnections: 1, maxMessagesPerConnection: 2 })
    t.submit(1, 2, 3)
    expect(t.opened(1)).toEqual([dispatch(1, 1), dispatch(2, 1)])
    expect(t.on({ type: 'succeeded', id: 1 })).toEqual([settle(1, 'sent')])
    expect(t.on({ type: 'succeeded', id: 2 })).toEqual([settle(2, 'sent'), retire(1)])
    // The QUIT under way still counts against maxConnections.
    expect(t.on({ type: 'closed', connection: 1 })).toEqual([open(2)])
  })

  it('retires a connection idle for idleTimeoutMs', () => {
    const t = transcript({ idleTimeoutMs: 50 })
    t.submit(1)
    t.opened(1)
    expect(t.at(20).all({ type: 'succeeded', id: 1 })).toEqual([
      settle(1, 'sent'),
      { type: 'wake', at: 70 },
    ])
    expect(t.at(69).on({ type: 'tick' })).toEqual([])
    expect(t.at(70).on({ type: 'tick' })).toEqual([retire(1)])
  })

  it('starts no more than the rate limit allows, then wakes when the window has passed', () => {
    const t = transcript({ maxConnections: 1, rateLimit: { messages: 2, perMs: 1000 } })
    t.submit(1, 2, 3)
    expect(t.all({ type: 'opened', connection: 1 })).toEqual([
      dispatch(1, 1),
      dispatch(2, 1),
      { type: 'wake', at: 1000 },
    ])
    expect(t.at(999).on({ type: 'tick' })).toEqual([])
    expect(t.at(1000).on({ type: 'tick' })).toEqual([dispatch(3, 1)])
  })
})

describe('Scheduler: abort and close', () => {
  it('drops an aborted waiting message at once and settles a sending one by its attempt', () => {
    const t = transcript({ maxConnections: 1, maxInFlightPerConnection: 1 })
    t.submit(1, 2, 3)
    t.opened(1)
    expect(t.on({ type: 'aborted', id: 2 })).toEqual([settle(2, 'aborted')])
    expect(t.on({ type: 'aborted', id: 1 })).toEqual([])
    expect(t.on({ type: 'failed', id: 1, failure: lost })).toEqual([
      settle(1, 'aborted'),
      dispatch(3, 1),
    ])
    t.on({ type: 'aborted', id: 3 })
    expect(t.on({ type: 'failed', id: 3, failure: unknown })).toEqual([
      settle(3, 'delivery-unknown'),
    ])
  })

  it('drops an aborted message waiting for its retry', () => {
    const t = transcript({ backoffMs: 100 })
    t.submit(1)
    t.opened(1)
    t.on({ type: 'failed', id: 1, failure: lost })
    expect(t.on({ type: 'aborted', id: 1 })).toEqual([settle(1, 'aborted')])
    expect(t.at(1000).on({ type: 'tick' })).toEqual([])
  })

  it('lets messages finish on close, then retires every connection and reports drained', () => {
    const t = transcript({ maxConnections: 2, maxInFlightPerConnection: 1 })
    t.submit(1, 2)
    t.opened(1)
    expect(t.on({ type: 'close' })).toEqual([])
    expect(t.on({ type: 'succeeded', id: 1 })).toEqual([settle(1, 'sent'), dispatch(2, 1)])
    expect(t.on({ type: 'succeeded', id: 2 })).toEqual([settle(2, 'sent'), retire(1), retire(2)])
    expect(t.on({ type: 'closed', connection: 1 })).toEqual([])
    expect(t.on({ type: 'closed', connection: 2 })).toEqual([{ type: 'drained' }])
  })
})

/**
 * A simulated server behind the scheduler, driven by a seeded random source: openings fail,
 * attempts fail transiently or for good, connections die with messages queued behind.
 */
function simulate(seed: number, messages: number, cfg: SchedulerConfig) {
  let state = seed >>> 0 || 1
  const random = () => {
    state ^= state << 13
    state ^= state >>> 17
    state ^= state << 5
    return (state >>> 0) / 2 ** 32
  }
  const s = new Scheduler(cfg)
  let now = 0
  let wakeAt: number | undefined
  const open = new Map<number, number[]>() // connection -> ids in flight, oldest first
  const opening = new Set<number>()
  const retiring = new Set<number>()
  const settled = new Map<number, string>()
  const startedFailures = new Map<number, number>()
  const refusedIds = new Set<number>()
  const problems: string[] = []
  const apply = (event: PoolEvent) => {
    for (const c of [...s.handle(event, now)]) {
      if (c.type === 'open') opening.add(c.connection)
      else if (c.type === 'dispatch') {
        if (settled.has(c.id)) problems.push(`dispatched ${c.id} after it settled`)
        const list = open.get(c.connection)
        if (list === undefined) problems.push(`dispatched to connection ${c.connection} not open`)
        else list.push(c.id)
        if ((list?.length ?? 0) > cfg.maxInFlightPerConnection) problems.push('pipeline too deep')
      } else if (c.type === 'retire') {
        if (opening.delete(c.connection) || open.delete(c.connection)) retiring.add(c.connection)
      } else if (c.type === 'settle') {
        if (settled.has(c.id)) problems.push(`${c.id} settled twice`)
        settled.set(c.id, c.outcome)
      } else if (c.type === 'wake') wakeAt = c.at
    }
    if (opening.size + open.size + retiring.size > cfg.maxConnections) {
      problems.push('more connections than maxConnections')
    }
  }
  for (let id = 1; id <= messages; id++) apply({ type: 'submitted', id })
  for (let step = 0; step < 200_000 && settled.size < messages; step++) {
    now += 1 + Math.floor(random() * 20)
    if (wakeAt !== undefined && now >= wakeAt) apply({ type: 'tick' })
    for (const c of [...opening]) {
      opening.delete(c)
      if (random() < 0.2) apply({ type: 'openFailed', connection: c, failure: lost })
      else {
        open.set(c, [])
        apply({ type: 'opened', connection: c })
      }
    }
    for (const c of [...retiring]) {
      retiring.delete(c)
      apply({ type: 'closed', connection: c })
    }
    for (const [c, list] of [...open]) {
      const id = list.shift()
      if (id === undefined) continue
      const roll = random()
      if (roll < 0.15) {
        // The connection dies: the first message was on the wire, the rest only queued.
        open.delete(c)
        startedFailures.set(id, (startedFailures.get(id) ?? 0) + 1)
        apply({
          type: 'failed',
          id,
          failure: { ...lost, slowDown: roll < 0.03 },
          connectionLost: true,
        })
        for (const queued of list) apply({ type: 'failed', id: queued, failure: queuedOnLost })
      } else if (roll < 0.2) {
        startedFailures.set(id, (startedFailures.get(id) ?? 0) + 1)
        apply({ type: 'failed', id, failure: { ...lost, slowDown: roll < 0.17 } })
      } else if (roll < 0.201) {
        refusedIds.add(id)
        apply({ type: 'failed', id, failure: refused })
      } else apply({ type: 'succeeded', id })
    }
  }
  return { settled, startedFailures, refusedIds, problems }
}

describe('Scheduler: a simulated faulty server', () => {
  it('settles every message once, failing one only on its own attempts', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2 ** 31 }),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 1, max: 4 }),
        (seed, maxConnections, maxInFlightPerConnection, attempts) => {
          const cfg = config({
            maxConnections,
            maxInFlightPerConnection,
            attempts,
            backoffMs: 10,
            slowDownMs: 100,
            maxMessagesPerConnection: 25,
          })
          const { settled, startedFailures, refusedIds, problems } = simulate(seed, 60, cfg)
          expect(problems).toEqual([])
          expect(settled.size).toBe(60)
          for (const [id, outcome] of settled) {
            const own = startedFailures.get(id) ?? 0
            // Failed only for a refusal or after its own attempts, never for others' losses.
            if (outcome === 'failed') expect(refusedIds.has(id) || own === attempts).toBe(true)
            else if (outcome !== 'unreachable') expect(outcome).toBe('sent')
            expect(own).toBeLessThanOrEqual(attempts)
          }
        },
      ),
      { numRuns: 200 },
    )
  })
})
