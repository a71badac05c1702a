/** One Server-Sent Event as read off the wire. */
export interface ReadEvent {
  event: string
  data: string
}

/**
 * Reads an event stream with fetch: resolves once the server's opening comment has arrived
 * (the subscription is in place), then `next()` gives the events one by one.
 */
export async function openEvents(url: string) {
  const stop = new AbortController()
  const res = await fetch(url, { signal: stop.signal })
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader()
  let buffered = ''
  const blocks: string[] = []
  const fill = async () => {
    for (;;) {
      const end = buffered.indexOf('\n\n')
      if (end >= 0) {
        blocks.push(buffered.slice(0, end))
        buffered = buffered.slice(end + 2)
        return
      }
      const { value, done } = await reader.read()
      if (done) throw new Error('the event stream ended')
      buffered += value
    }
  }
  const block = async () => {
    if (blocks.length === 0) await fill()
    return blocks.shift()!
  }
  const opening = await block()
  return {
    res,
    opening,
    /** The next event, comments (keep-alives) skipped. */
    async next(): Promise<ReadEvent> {
      for (;;) {
        const lines = (await block()).split('\n').filter((l) => !l.startsWith(':'))
        if (lines.length === 0) continue
        const field = (name: string) =>
          lines
            .filter((l) => l.startsWith(`${name}: `))
            .map((l) => l.slice(name.length + 2))
            .join('\n')
        return { event: field('event'), data: field('data') }
      }
    },
    close: () => stop.abort(),
  }
}
