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
  let pending: (Promise<SendManyResult> | undefined)[] = []
  let head = 0
  let index = 0
  let exhausted = false
  try {
    for (;;) {
      // After an abort, take no more messages: the ones taken still report their results.
      while (!exhausted && pending.length - head < window && !options?.signal?.aborted) {
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
      if (head === pending.length) return
      const result = await pending[head]!
      pending[head++] = undefined
      if (head > 1024 && head * 2 > pending.length) {
        pending = pending.slice(head)
        head = 0
      }
      yield result
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
