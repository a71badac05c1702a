/**
 * A sliding-window limit: at most `messages` starts within any `perMs` milliseconds. It keeps the
 * times of the last `messages` starts in a ring, so each check is O(1) and memory is bounded.
 * The clock is injected so the logic is tested without waiting.
 *
 * @example
 * const limiter = new RateLimiter({ messages: 10, perMs: 1000 })
 * if (limiter.delay() === 0) { limiter.record(); startSending() }
 */
export class RateLimiter {
  readonly messages: number
  readonly perMs: number
  private readonly now: () => number
  private readonly starts: number[] = []
  private next = 0

  constructor(limit: { messages: number; perMs: number }, now: () => number = Date.now) {
    this.messages = limit.messages
    this.perMs = limit.perMs
    this.now = now
  }

  /** Milliseconds until another start is allowed; 0 when one is allowed now. */
  delay(): number {
    if (this.starts.length < this.messages) return 0
    // The oldest of the last `messages` starts sits where the next one will be written.
    const oldest = this.starts[this.next]!
    return Math.max(0, oldest + this.perMs - this.now())
  }

  /** Records a start now. Call only when `delay()` is 0. */
  record(): void {
    const t = this.now()
    if (this.starts.length < this.messages) this.starts.push(t)
    else this.starts[this.next] = t
    this.next = (this.next + 1) % this.messages
  }
}
