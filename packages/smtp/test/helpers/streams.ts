// Streams for the streamed-send tests: chunks given one per pull, as a file or a builder gives them.

/**
 * A stream of `chunks`, each made only when read (nothing is read ahead); `pulls` counts the
 * chunks handed out, `cancelled` holds the reason it was cancelled with. With `open`, it does
 * not end after them: a further read waits until the stream is cancelled.
 */
export function streamOf(chunks: readonly Uint8Array[], open = false) {
  let i = 0
  const state = {
    pulls: 0,
    cancelled: undefined as unknown,
    stream: new ReadableStream<Uint8Array>(
      {
        pull(controller) {
          const chunk = chunks[i++]
          if (chunk !== undefined) {
            state.pulls++
            controller.enqueue(chunk)
          } else if (open) return new Promise<void>(() => {})
          else controller.close()
        },
        cancel(reason) {
          state.cancelled = reason ?? 'cancelled'
        },
      },
      { highWaterMark: 0 },
    ),
  }
  return state
}

/** `bytes` cut at the given offsets (sorted, duplicates and out-of-range ones ignored). */
export function cut(bytes: Uint8Array, offsets: readonly number[]): Uint8Array[] {
  const points = [...new Set(offsets.filter((o) => o > 0 && o < bytes.length))].sort(
    (a, b) => a - b,
  )
  const out: Uint8Array[] = []
  let start = 0
  for (const p of [...points, bytes.length]) {
    out.push(bytes.subarray(start, p))
    start = p
  }
  return out
}

/** A stream that gives `chunks`, then fails with `error`. */
export function failingStream(chunks: readonly Uint8Array[], error: Error) {
  let i = 0
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      const chunk = chunks[i++]
      if (chunk === undefined) controller.error(error)
      else controller.enqueue(chunk)
    },
  })
}

export const bytes = (text: string) => Buffer.from(text, 'latin1')
export const latin1 = (b: Uint8Array) =>
  Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1')

/**
 * The BDAT chunks of a transcript's writes, from the first 'BDAT' on: each 'BDAT <n>[ LAST]'
 * line with exactly n octets after it, one after the other.
 */
export function bdatChunks(wire: string): { size: number; last: boolean; octets: string }[] {
  const out: { size: number; last: boolean; octets: string }[] = []
  // The first chunk is found by search; each next one must follow the octets of the one before.
  let at = wire.indexOf('BDAT ')
  for (;;) {
    const start = at
    if (start < 0 || !wire.startsWith('BDAT ', start)) return out
    const eol = wire.indexOf('\r\n', start)
    const m = /^BDAT (\d+)( LAST)?$/.exec(wire.slice(start, eol))
    if (m === null) throw new Error(`not a BDAT line: ${wire.slice(start, eol)}`)
    const size = Number(m[1])
    const octets = wire.slice(eol + 2, eol + 2 + size)
    if (octets.length !== size) throw new Error(`BDAT ${size} has only ${octets.length} octets`)
    out.push({ size, last: m[2] !== undefined, octets })
    at = eol + 2 + size
  }
}

/** What `fn` throws (planning errors are thrown by the transcript's send). */
export function thrown(fn: () => unknown): unknown {
  try {
    fn()
  } catch (e) {
    return e
  }
  throw new Error('expected a throw')
}

/** Lets every pending promise callback (stream reads, the pump) run. */
export const settled = () => new Promise((resolve) => setTimeout(resolve, 0))
