import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { SendProgress } from '../../src/protocol/envelope.js'
import type { RawMessage } from '../../src/protocol/stream.js'
import { dotStuff, normalizeLines } from '../helpers/data.js'
import {
  bdatChunks,
  bytes,
  cut,
  failingStream,
  latin1,
  settled,
  streamOf,
  thrown,
} from '../helpers/streams.js'
import { readySession } from '../helpers/transcript.js'

// A streamed message through the session, without sockets: the content is read only once the
// server is ready for it, and its octets on the wire are those of the same message in memory.

const ENV = { from: 'a@example.com', to: ['b@example.org'] }
// Octets that matter to the encoders: line ends, leading dots, 8-bit text.
const octet = fc.constantFrom(...'a.\r\n\xe9 ')
const message = fc.array(octet, { maxLength: 120 }).map((a) => bytes(a.join('')))
const cuts = fc.array(fc.nat(120), { maxLength: 12 })

/** A beforeEnd hook that holds until the test calls `open()`. */
function heldHook() {
  let open!: () => void
  return {
    hook: () =>
      new Promise<void>((resolve) => {
        open = resolve
      }),
    open: () => open(),
  }
}

/** The DATA content (after 354, the final dot included) the session writes for `raw`. */
async function dataWire(raw: RawMessage, chunkSize = 1024 * 1024): Promise<string> {
  const t = readySession(['PIPELINING', '8BITMIME'], { chunkSize })
  const out = t.send(ENV, raw)
  t.take()
  t.server('250 ok', '250 ok', '354 go')
  await settled()
  const wire = t.take().join('')
  t.server('250 done')
  expect(out.result?.response).toBe('250 done')
  return wire
}

/** The BDAT chunks the session writes for `raw`, each answered. */
async function bdatWire(raw: RawMessage, chunkSize = 1024 * 1024) {
  const t = readySession(['PIPELINING', 'CHUNKING', '8BITMIME'], { chunkSize })
  const out = t.send(ENV, raw)
  const commands = t.take().join('')
  t.server('250 ok', '250 ok')
  await settled()
  const chunks = bdatChunks(`${commands}${t.take().join('')}`)
  t.server(...chunks.map((c) => (c.last ? '250 done' : '250 chunk')))
  expect(out.result?.response).toBe('250 done')
  return chunks
}

describe('a streamed message with DATA', () => {
  it('gives the octets of the same message in memory, however the stream is cut', async () => {
    await fc.assert(
      fc.asyncProperty(message, cuts, async (whole, offsets) => {
        const reference = await dataWire(whole)
        expect(reference).toBe(latin1(dotStuff(whole)))
        expect(await dataWire(streamOf(cut(whole, offsets)).stream)).toBe(reference)
      }),
    )
  })

  it('stuffs a dot and completes a CRLF across chunk edges', async () => {
    const parts = ['a\r', '\n', '.b\r', '\n.', '\r\n', '.']
    const wire = await dataWire(streamOf(parts.map(bytes)).stream)
    expect(wire).toBe('a\r\n..b\r\n..\r\n..\r\n.\r\n')
  })

  it('reads nothing before 354, and nothing at all when DATA is refused', async () => {
    const t = readySession(['PIPELINING'])
    const source = streamOf([bytes('Subject: x\r\n\r\nhi\r\n')])
    const out = t.send(ENV, source.stream)
    expect(t.take()).toEqual(['MAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.org>\r\nDATA\r\n'])
    t.server('250 ok', '250 ok', '554 no thanks')
    await settled()
    expect(source.pulls).toBe(0)
    expect(out.error?.code).toBe(554)
  })
})

describe('a streamed message with BDAT', () => {
  it('sends chunks whose sizes are their octets after CRLF normalisation', async () => {
    await fc.assert(
      fc.asyncProperty(
        message,
        cuts,
        fc.integer({ min: 1, max: 40 }),
        async (whole, offsets, size) => {
          const reference = await bdatWire(whole, size)
          const streamed = await bdatWire(streamOf(cut(whole, offsets)).stream, size)
          const payload = (chunks: typeof streamed) => chunks.map((c) => c.octets).join('')
          expect(payload(reference)).toBe(latin1(normalizeLines(whole)))
          expect(payload(streamed)).toBe(payload(reference))
          expect(streamed.map((c) => c.last)).toEqual(
            streamed.map((_, i) => i === streamed.length - 1),
          )
          // Every chunk but the last is at least the chunk size (chunks are gathered to it).
          for (const c of streamed.slice(0, -1)) expect(c.size).toBeGreaterThanOrEqual(size)
        },
      ),
    )
  })

  it('waits for the recipients before reading, and reads nothing when all are refused', async () => {
    const t = readySession(['PIPELINING', 'CHUNKING'])
    const source = streamOf([bytes('hi\r\n')])
    const out = t.send({ ...ENV, to: ['b@example.org', 'c@example.org'] }, source.stream)
    expect(t.take()).toEqual([
      'MAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.org>\r\nRCPT TO:<c@example.org>\r\n',
    ])
    t.server('250 ok', '550 no', '550 no')
    await settled()
    expect(source.pulls).toBe(0)
    expect(out.error?.rejected).toHaveLength(2)
    // MAIL was accepted: the next transaction starts with RSET.
    t.send(ENV, 'x\r\n')
    expect(t.take()[0]).toMatch(/^RSET\r\n/)
  })

  it('without PIPELINING, sends each chunk after the reply to the one before', async () => {
    const t = readySession(['CHUNKING'], { chunkSize: 4 })
    const out = t.send(ENV, streamOf(['abcd', 'efgh', 'ij'].map(bytes)).stream)
    t.server('250 ok')
    t.server('250 ok')
    await settled()
    expect(t.take().join('')).toBe(
      'MAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.org>\r\nBDAT 4\r\nabcd',
    )
    t.server('250 chunk')
    await settled()
    expect(t.take().join('')).toBe('BDAT 4\r\nefgh')
    t.server('250 chunk')
    await settled()
    expect(t.take().join('')).toBe('BDAT 4 LAST\r\nij\r\n')
    t.server('250 done')
    expect(out.result?.response).toBe('250 done')
  })

  it('stops at a refused chunk: no LAST chunk, the source cancelled, RSET before the next', async () => {
    const t = readySession(['PIPELINING', 'CHUNKING'], { chunkSize: 4 })
    const source = streamOf(['abcd', 'efgh'].map(bytes), true)
    const out = t.send(ENV, source.stream)
    t.take()
    t.server('250 ok', '250 ok')
    await settled()
    expect(t.take().join('')).toBe('BDAT 4\r\nabcdBDAT 4\r\nefgh')
    t.server('452 4.3.1 out of space')
    await settled()
    expect(out.error).toMatchObject({ code: 452, command: 'BDAT', transient: true })
    expect(source.cancelled).toBe(out.error)
    const next = t.send(ENV, 'x\r\n')
    expect(t.take()).toEqual([])
    t.server('503 5.5.1 out of sequence')
    expect(t.take()[0]).toMatch(/^RSET\r\n/)
    t.server('250 reset', '250 ok', '250 ok', '250 done')
    expect(next.result?.response).toBe('250 done')
  })
})

describe('streamed sources', () => {
  it('declares SIZE when the size is known, and not when it is not', async () => {
    const t = readySession(['PIPELINING', 'SIZE 1000'])
    const body = bytes('Subject: x\r\n\r\nhi\r\n')
    t.send(ENV, { size: body.length, eightBit: false, stream: () => streamOf([body]).stream })
    expect(t.take()[0]).toMatch(/^MAIL FROM:<a@example.com> SIZE=18\r\n/)
    const u = readySession(['PIPELINING', 'SIZE 1000'])
    u.send(ENV, streamOf([body]).stream)
    expect(u.take()[0]).toMatch(/^MAIL FROM:<a@example.com>\r\n/)
  })

  it('refuses a known size over the server limit before anything is read', async () => {
    const t = readySession(['PIPELINING', 'SIZE 10'])
    let opened = 0
    const source = {
      size: 11,
      stream: () => {
        opened++
        return streamOf([]).stream
      },
    }
    expect(thrown(() => t.send(ENV, source))).toMatchObject({
      hint: 'message-too-large',
      size: { message: 11, limit: 10 },
    })
    expect(opened).toBe(0)
    expect(t.take()).toEqual([])
  })

  it('declares BODY=8BITMIME for unknown content where offered, and follows eightBit', () => {
    const s = () => streamOf([]).stream
    const mailLine = (source: RawMessage) => {
      const t = readySession(['PIPELINING', '8BITMIME', 'SMTPUTF8'])
      t.send(ENV, source)
      return t.take()[0]?.split('\r\n')[0]
    }
    expect(mailLine({ stream: s })).toBe('MAIL FROM:<a@example.com> BODY=8BITMIME')
    expect(mailLine({ stream: s, eightBit: false, smtputf8: true })).toBe(
      'MAIL FROM:<a@example.com> SMTPUTF8',
    )
    expect(mailLine({ stream: s, eightBit: true })).toBe('MAIL FROM:<a@example.com> BODY=8BITMIME')
    const plain = readySession([])
    expect(thrown(() => plain.send(ENV, { stream: s, eightBit: true }))).toMatchObject({
      hint: 'needs-8bitmime',
    })
    const smtputf8 = thrown(() => plain.send(ENV, { stream: s, smtputf8: true }))
    expect(smtputf8).toMatchObject({ hint: 'needs-smtputf8' })
    expect((smtputf8 as Error).message).toMatch(/^The message needs SMTPUTF8/)
  })

  it('checks content of unknown kind for 8-bit octets when it goes as 7-bit', async () => {
    const t = readySession(['PIPELINING'])
    const out = t.send(ENV, streamOf([bytes('Subject: x\r\n\r\n'), bytes('caf\xe9\r\n')]).stream)
    t.take()
    t.server('250 ok', '250 ok', '354 go')
    await settled()
    expect(out.error).toMatchObject({ stage: 'input', field: 'raw', hint: 'needs-8bitmime' })
    // The end of the data never went: the connection was closed to abandon the message.
    expect(t.take().join('')).not.toContain('\r\n.\r\n')
    expect(t.events).toContain('destroy')
  })

  it('fails a stream that gives other than its declared size, before the end', async () => {
    const t = readySession(['PIPELINING', 'CHUNKING'])
    const body = bytes('hi\r\n')
    const out = t.send(ENV, { size: 5, stream: () => streamOf([body]).stream })
    t.take()
    t.server('250 ok', '250 ok')
    await settled()
    expect(out.error).toMatchObject({ stage: 'input', field: 'raw.size' })
    expect(out.error?.message).toMatch(/gave only 4 octets, not the 5/)
    expect(t.take().join('')).not.toContain('LAST')
    expect(t.session.usable).toBe(true)
  })

  it('refuses bad sources naming the field, before anything is written', () => {
    const t = readySession(['PIPELINING'])
    const locked = streamOf([]).stream
    locked.getReader()
    expect(thrown(() => t.send(ENV, locked))).toMatchObject({ stage: 'input', field: 'raw' })
    expect(thrown(() => t.send(ENV, { size: -1, stream: () => locked }))).toMatchObject({
      field: 'raw.size',
    })
    const eightBit = { stream: () => locked, eightBit: 'yes' as never }
    expect(thrown(() => t.send(ENV, eightBit))).toMatchObject({ field: 'raw.eightBit' })
    const crlf = { stream: () => locked, crlf: 1 as never }
    expect(thrown(() => t.send(ENV, crlf))).toMatchObject({ field: 'raw.crlf' })
    expect(thrown(() => t.send(ENV, { text: 'x' } as never))).toMatchObject({ field: 'raw' })
    expect(t.take()).toEqual([])
  })
})

describe('a source that fails', () => {
  it('with DATA: never writes the end; the connection is closed; transient', async () => {
    const t = readySession(['PIPELINING'])
    const cause = new Error('disk on fire')
    const out = t.send(ENV, failingStream([bytes('Subject: x\r\n\r\npart')], cause))
    const behind = t.send(ENV, 'x\r\n')
    t.take()
    t.server('250 ok', '250 ok', '354 go')
    await settled()
    expect(out.error).toMatchObject({
      stage: 'data',
      command: 'DATA',
      transient: true,
      deliveryUnknown: false,
      cause,
    })
    expect(out.error?.message).toMatch(/source failed: disk on fire/)
    expect(t.take().join('')).toBe('Subject: x\r\n\r\npart')
    expect(t.events).toContain('destroy')
    expect(behind.error).toMatchObject({ transient: true, notStarted: true })
  })

  it('with BDAT: no LAST chunk; RSET, and the connection stays usable', async () => {
    const t = readySession(['PIPELINING', 'CHUNKING'], { chunkSize: 4 })
    const cause = new Error('gone')
    const out = t.send(ENV, failingStream([bytes('abcdefgh')], cause))
    t.take()
    t.server('250 ok', '250 ok')
    await settled()
    expect(out.error).toMatchObject({ stage: 'data', command: 'BDAT', transient: true, cause })
    expect(t.take().join('')).toBe('BDAT 8\r\nabcdefgh')
    const next = t.send(ENV, 'x\r\n')
    expect(t.take()).toEqual([])
    t.server('250 chunk')
    expect(t.take()[0]).toMatch(/^RSET\r\nMAIL FROM/)
    t.server('250 reset', '250 ok', '250 ok', '250 done')
    expect(next.result?.response).toBe('250 done')
  })

  it('a stream() that throws fails the send the same way', async () => {
    const t = readySession(['PIPELINING'])
    const cause = new Error('read twice')
    const out = t.send(ENV, {
      stream: () => {
        throw cause
      },
    })
    t.take()
    t.server('250 ok', '250 ok', '354 go')
    await settled()
    expect(out.error).toMatchObject({ stage: 'data', transient: true, cause })
  })
})

describe('backpressure', () => {
  it('reads the next chunk only once the host has room', async () => {
    const gates: { octets: number; open: () => void }[] = []
    const room = (octets: number) =>
      new Promise<void>((open) => {
        gates.push({ octets, open })
      })
    const t = readySession(['PIPELINING'], {}, room)
    const source = streamOf(['a\r\n', 'b\r\n', 'c\r\n'].map(bytes))
    const out = t.send(ENV, source.stream)
    t.server('250 ok', '250 ok', '354 go')
    await settled()
    expect(source.pulls).toBe(1)
    expect(gates).toHaveLength(1)
    expect(gates[0]!.octets).toBeLessThanOrEqual(1024 * 1024)
    gates.shift()!.open()
    await settled()
    expect(source.pulls).toBe(2)
    gates.shift()!.open()
    await settled()
    gates.shift()!.open()
    await settled()
    expect(t.take().join('')).toContain('a\r\nb\r\nc\r\n.\r\n')
    t.server('250 done')
    expect(out.result).toBeDefined()
  })
})

describe('onProgress', () => {
  for (const [name, extensions, replies] of [
    ['DATA', ['PIPELINING'], ['250 ok', '250 ok', '354 go']],
    ['BDAT', ['PIPELINING', 'CHUNKING'], ['250 ok', '250 ok']],
  ] as const) {
    it(`reports rising octets up to the total with ${name}, the last with sent === total`, async () => {
      const t = readySession([...extensions], { chunkSize: 5 })
      const seen: SendProgress[] = []
      const parts = ['.abc\r\n', 'defghij', 'k\r\n'].map(bytes)
      const size = parts.reduce((n, p) => n + p.length, 0)
      const out = t.send(
        ENV,
        { size, eightBit: false, stream: () => streamOf(parts).stream },
        undefined,
        (p) => seen.push(p),
      )
      t.server(...replies)
      await settled()
      const wire = t.take().join('')
      const chunks = name === 'BDAT' ? bdatChunks(wire) : []
      t.server(...chunks.map((c) => (c.last ? '250 done' : '250 chunk')))
      if (name === 'DATA') t.server('250 done')
      expect(out.result?.response).toBe('250 done')
      const sent = seen.map((p) => p.sent)
      expect(sent).toEqual([...sent].sort((a, b) => a - b))
      expect(new Set(sent).size).toBe(sent.length)
      expect(seen.every((p) => p.total === size)).toBe(true)
      expect(seen.at(-1)).toEqual({ sent: size, total: size })
    })
  }

  it('gives the total on the last report when the size was unknown', async () => {
    const t = readySession(['PIPELINING'])
    const seen: SendProgress[] = []
    t.send(ENV, streamOf(['ab\r\n', 'cd\r\n'].map(bytes)).stream, undefined, (p) => seen.push(p))
    t.server('250 ok', '250 ok', '354 go')
    await settled()
    t.server('250 done')
    expect(seen.slice(0, -1).every((p) => p.total === undefined)).toBe(true)
    expect(seen.at(-1)).toEqual({ sent: 8, total: 8 })
  })

  it('reports an in-memory message too, counting its octets as given', async () => {
    const t = readySession(['PIPELINING'], { chunkSize: 4 })
    const seen: SendProgress[] = []
    const raw = 'a\nb\n.c\n'
    const out = t.send(ENV, raw, undefined, (p) => seen.push(p))
    t.take()
    t.server('250 ok', '250 ok', '354 go')
    await settled()
    expect(t.take().join('')).toBe('a\r\nb\r\n..c\r\n.\r\n')
    t.server('250 done')
    expect(out.result).toBeDefined()
    expect(seen.at(-1)).toEqual({ sent: raw.length, total: raw.length })
  })
})

describe('a streamed message among others', () => {
  it('keeps pipelined transactions in order, before and behind it', async () => {
    const t = readySession(['PIPELINING'])
    const first = t.send(ENV, 'first\r\n')
    const streamed = t.send(ENV, streamOf(['stream', 'ed\r\n'].map(bytes)).stream)
    const last = t.send(ENV, 'last\r\n')
    expect(t.take()).toEqual(['MAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.org>\r\nDATA\r\n'])
    t.server('250 ok', '250 ok', '354 go')
    // The streamed one's commands are pipelined behind the first's end.
    expect(t.take()).toEqual([
      'first\r\n.\r\nMAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.org>\r\nDATA\r\n',
    ])
    t.server('250 first', '250 ok', '250 ok', '354 go')
    await settled()
    // The last one waits until the streamed one's end is queued, then follows it.
    expect(t.take().join('')).toBe(
      'streamed\r\n.\r\nMAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.org>\r\nDATA\r\n',
    )
    t.server('250 streamed', '250 ok', '250 ok', '354 go', '250 last')
    expect(first.result?.response).toBe('250 first')
    expect(streamed.result?.response).toBe('250 streamed')
    expect(last.result?.response).toBe('250 last')
  })

  it('holds the end until beforeEnd resolves', async () => {
    const t = readySession(['PIPELINING'])
    const held = heldHook()
    const out = t.send(ENV, streamOf([bytes('hi\r\n')]).stream, held.hook)
    t.take()
    t.server('250 ok', '250 ok', '354 go')
    await settled()
    expect(t.take().join('')).toBe('hi\r\n')
    held.open()
    await settled()
    expect(t.take().join('')).toBe('.\r\n')
    t.server('250 done')
    expect(out.result?.response).toBe('250 done')
  })

  it('with BDAT and beforeEnd, the end is BDAT 0 LAST after the hook', async () => {
    const t = readySession(['PIPELINING', 'CHUNKING'])
    const held = heldHook()
    const out = t.send(ENV, streamOf([bytes('hi\r\n')]).stream, held.hook)
    t.take()
    t.server('250 ok', '250 ok')
    await settled()
    expect(t.take().join('')).toBe('BDAT 4\r\nhi\r\n')
    t.server('250 chunk')
    held.open()
    await settled()
    expect(t.take().join('')).toBe('BDAT 0 LAST\r\n')
    t.server('250 done')
    expect(out.result?.response).toBe('250 done')
  })

  it('a connection lost while the content streams fails it as transient, delivery known', async () => {
    const t = readySession(['PIPELINING'], {}, () => new Promise(() => {}))
    const source = streamOf(['a\r\n', 'b\r\n'].map(bytes))
    const out = t.send(ENV, source.stream)
    t.server('250 ok', '250 ok', '354 go')
    await settled()
    t.session.connectionLost(new Error('reset'))
    expect(out.error).toMatchObject({ stage: 'data', transient: true, deliveryUnknown: false })
    expect(source.cancelled).toBeDefined()
  })
})
