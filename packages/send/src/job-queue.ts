/** What the queue needs of a job: its submission number and whether it still waits here. */
export interface Queueable {
  readonly seq: number
  state: string
}

/**
 * Waiting jobs in submission order. A retried job goes back before every job submitted after
 * it; a job that leaves early (aborted) is skipped lazily, so removal is O(1).
 *
 * @example
 * const queue = new JobQueue<Job>()
 * queue.add(job)
 * const next = queue.peek()
 * if (next) { queue.take(); start(next) }
 */
export class JobQueue<T extends Queueable> {
  private items: (T | undefined)[] = []
  private head = 0
  private count = 0

  /** Jobs waiting. */
  get size(): number {
    return this.count
  }

  /** Adds a job (marked `'queued'`) in submission order. */
  add(job: T): void {
    job.state = 'queued'
    this.count++
    const last = this.items[this.items.length - 1]
    if (last === undefined || last.seq < job.seq) {
      this.items.push(job)
      return
    }
    let at = this.items.length
    while (at > this.head && this.items[at - 1]!.seq > job.seq) at--
    this.items.splice(at, 0, job)
  }

  /** The oldest waiting job, left in the queue. */
  peek(): T | undefined {
    while (this.head < this.items.length) {
      const job = this.items[this.head]!
      if (job.state === 'queued') return job
      this.head++
    }
    return undefined
  }

  /** Removes the job `peek()` returned; the caller moves it to another state. */
  take(): void {
    this.items[this.head] = undefined
    this.head++
    this.count--
    if (this.count === 0) {
      this.items = []
      this.head = 0
    } else if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head)
      this.head = 0
    }
  }

  /** A waiting job left the queue by changing its state (e.g. aborted); it is skipped later. */
  left(): void {
    this.count--
  }
}
