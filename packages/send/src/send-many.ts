import type { MessageSource, SendInfo, SendManyResult, SendMessage, SendOptions } from './types.js'

type SendOne = (message: SendMessage, options?: SendOptions) => Promise<SendInfo>

/**
 * Sends messages from an array or (async) iterable with at most `window` of them in progress,
 * yielding one result per message in the order given. The iterable is pulled lazily: a message
 * is taken (and built) only when a slot frees up, so memory stays bounded for any stream length.
 * Once `options.signal` aborts, no further message is taken from the iterable.
 */
export async function* sendInOrder(
  send: SendOne,
  messages: MessageSource,
  window: number,
  options?: SendOptions,
): AsyncGenerator<SendManyResult> {
  if (!Number.isInteger(window) || window < 1) {
    throw new RangeError('sendMany: window must be a positive integer')
  }
  const iterator = iterate(messages)
  const sendOptions = options?.signal ? { signal: options.signal } : undefined
  const pending = new Ring<Promise<SendManyResult>>()
  let index = 0
  let exhausted = false
  try {
    for (;;) {
      // After an abort, take no more messages: the ones taken still report their results.
      while (!exhausted && pending.size < window && !options?.signal?.aborted) {
        const next = await iterator.next()
        if (next.done) {
          exhausted = true
          break
        }
        const i = index++
        pending.push(
          send(next.value, sendOptions).then(
            (info): SendManyResult => ({ index: i, info }),
            (error: unknown): SendManyResult => ({ index: i, error: asError(error) }),
          ),
        )
      }
      const first = pending.shift()
      if (first === undefined) return
      yield await first
    }
  } finally {
    if (!exhausted) await iterator.return?.()
  }
}

function iterate(messages: MessageSource): Iterator<SendMessage> | AsyncIterator<SendMessage> {
  if (messages !== null && typeof messages === 'object') {
    if (Symbol.asyncIterator in messages) return messages[Symbol.asyncIterator]()
    if (Symbol.iterator in messages) return messages[Symbol.iterator]()
  }
  throw new TypeError('sendMany: messages must be an array or an (async) iterable')
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error))
}

/**
 * A first-in first-out ring that grows to the most it ever holds (the window) and then reuses
 * its slots: the same code and the same array however long the stream, so nothing changes shape
 * after the first thousand messages.
 */
class Ring<T> {
  private slots: (T | undefined)[] = [undefined, undefined, undefined, undefined]
  private head = 0
  size = 0

  push(item: T): void {
    if (this.size === this.slots.length) this.grow()
    this.slots[(this.head + this.size) % this.slots.length] = item
    this.size++
  }

  shift(): T | undefined {
    if (this.size === 0) return undefined
    const item = this.slots[this.head]
    this.slots[this.head] = undefined
    this.head = (this.head + 1) % this.slots.length
    this.size--
    return item
  }

  private grow(): void {
    const slots: (T | undefined)[] = []
    for (let i = 0; i < this.size; i++) slots.push(this.slots[(this.head + i) % this.slots.length])
    for (let i = this.size; i < this.size * 2; i++) slots.push(undefined)
    this.slots = slots
    this.head = 0
  }
}
