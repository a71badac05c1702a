/**
 * Runs at most `n` tasks at once; the others wait their turn, in order. Signing streamed
 * messages goes through one: each pass holds a chunk of its message, so a thousand messages
 * given at once are not all read at the same time.
 *
 * @example
 * const limit = new Limit(4)
 * const signed = await limit.run(() => signDkim(message, options))
 */
export class Limit {
  private active = 0
  private readonly waiting: (() => void)[] = []

  constructor(private readonly n: number) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active < this.n) this.active++
    // A waiting task is handed the slot of the one that ends: never more than n at once.
    else await new Promise<void>((start) => this.waiting.push(start))
    try {
      return await task()
    } finally {
      const next = this.waiting.shift()
      if (next === undefined) this.active--
      else next()
    }
  }
}
