/**
 * A first-in first-out queue with O(1) take: Array.prototype.shift is O(n), which made a few
 * thousand queued sends quadratic.
 */
export class Fifo<T> {
  private items: T[] = []
  private head = 0

  get length(): number {
    return this.items.length - this.head
  }

  push(item: T): void {
    this.items.push(item)
  }

  /** Puts an item first (LMTP's extra replies go before later commands' replies). */
  unshift(item: T): void {
    if (this.head > 0) this.items[--this.head] = item
    else this.items.unshift(item)
  }

  /** The first item, without removing it. */
  peek(): T | undefined {
    return this.items[this.head]
  }

  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined
    const item = this.items[this.head]
    this.items[this.head++] = undefined as T
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head)
      this.head = 0
    }
    return item
  }

  /** Removes one item wherever it is; false when absent. */
  remove(item: T): boolean {
    const i = this.items.indexOf(item, this.head)
    if (i < 0) return false
    this.items.splice(i, 1)
    return true
  }

  /** Removes and returns every item. */
  drain(): T[] {
    const all = this.items.slice(this.head)
    this.items = []
    this.head = 0
    return all
  }
}
