import { Fifo } from './fifo.js'
import type { Operation } from './types.js'

// Bound the pipeline depth so replies and buffered messages stay bounded.
const MAX_IN_FLIGHT = 256

/**
 * Starts queued operations in order, each once the connection is free for it: the previous one
 * is done, or, with PIPELINING, has committed (will write nothing more, RFC 2920 3.1).
 *
 * @example
 * const s = new Scheduler()
 * s.add(transaction)
 * s.pump(true) // starts it, and those behind it while each commits at once
 */
export class Scheduler {
  private readonly waiting = new Fifo<Operation>()
  /** Started operations, oldest first; finished ones leave from the front. */
  private active: Operation[] = []

  add(op: Operation): void {
    this.waiting.push(op)
  }

  /** Removes an operation that has not started (an aborted send); false when it has. */
  withdraw(op: Operation): boolean {
    return this.waiting.remove(op)
  }

  /** Starts waiting operations while the connection allows. */
  pump(pipelining: boolean): void {
    while (this.waiting.length > 0) {
      while (this.active.length > 0 && this.active[0]!.done) this.active.shift()
      // Operations start in order and each was committed before the next started, so the most
      // recent one decides whether another may be pipelined behind it.
      const last = this.active[this.active.length - 1]
      if (last !== undefined && !last.done && !(pipelining && last.committed)) return
      if (this.active.length >= MAX_IN_FLIGHT) return
      const op = this.waiting.shift()!
      this.active.push(op)
      op.start(last)
    }
  }

  /** Whether an operation is waiting, or started and not done. */
  get busy(): boolean {
    return this.waiting.length > 0 || this.active.some((op) => !op.done)
  }

  /** Removes and returns every started and every waiting operation (the connection ended). */
  drain(): { started: Operation[]; waiting: Operation[] } {
    const started = this.active
    this.active = []
    return { started, waiting: this.waiting.drain() }
  }
}
