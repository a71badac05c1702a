import { parseWithPython } from '@mail/testkit'
import { describe, expect, test } from 'vitest'
import {
  buildMessage,
  buildMessageStream,
  composeMessage,
  getEnvelope,
  type MessageInput,
  MimeError,
} from '../src/index.js'
import { deterministic } from './fixtures/messages.js'
import { ChunkedBlob, collect, iterableOf, streamOf } from './fixtures/sources.js'

const base: MessageInput = { from: 'alice@example.com', to: 'bob@example.org', text: 'hi' }
const bytes = Uint8Array.from({ length: 5000 }, (_, i) => (i * 31) & 255)
const text = (b: Uint8Array) => Buffer.from(b).toString('utf8')

/** The MimeError `fn` throws (fails the test if it throws anything else or nothing). */
function mimeError(fn: () => unknown): MimeError {
  try {
    fn()
  } catch (err) {
    expect(err).toBeInstanceOf(MimeError)
    return err as MimeError
  }
  throw new Error('expected a MimeError')
}

/** The error a stream ends with. */
async function streamError(stream: ReadableStream<Uint8Array>): Promise<unknown> {
  try {
    await collect(stream)
  } catch (err) {
    return err
  }
  throw new Error('expected the stream to fail')
}

describe('buildMessageStream', () => {
  test('reports size, replayability, Message-ID and envelope before reading anything', () => {
    const withFile = (content: MessageInput['attachments'] & object) => ({
      ...base,
      bcc: 'c@example.net',
      attachments: content,
    })
    const memory = buildMessageStream(withFile([{ content: bytes }]), deterministic)
    expect(memory).toMatchObject({
      replayable: true,
      messageId: '<golden-1@example.com>',
      envelope: getEnvelope({ ...base, bcc: 'c@example.net' }),
      smtputf8: false,
      eightBit: false,
    })
    const blob = buildMessageStream(withFile([{ content: new Blob([bytes]) }]), deterministic)
    expect(blob).toMatchObject({ replayable: true, size: memory.size })
    const stream = buildMessageStream(withFile([{ content: streamOf(bytes, [100]) }]))
    expect(stream).toMatchObject({ replayable: false, size: undefined })
    const iterable = buildMessageStream(withFile([{ content: iterableOf(bytes, [100]) }]))
    expect(iterable).toMatchObject({ replayable: false, size: undefined })
  })

  test('throws the same MimeErrors as buildMessage, synchronously', () => {
    const bad: MessageInput[] = [
      { ...base, subject: 'a\r\nBcc: x@example.com' },
      { ...base, to: 'nope' },
      { ...base, attachments: [{ content: new Blob([]), contentType: 'text' }] },
    ]
    for (const input of bad) {
      const expected = mimeError(() => buildMessage(input))
      expect(mimeError(() => buildMessageStream(input)).message).toBe(expected.message)
    }
  })

  test('a stream read twice is a MimeError at the second stream(), naming the attachment', async () => {
    const message = buildMessageStream({
      ...base,
      attachments: [{ content: 'x' }, { content: iterableOf(bytes, [64]) }],
    })
    await collect(message.stream())
    const err = mimeError(() => message.stream())
    expect(err.field).toBe('attachments[1].content')
    expect(err.message).toMatch(/read once/)
  })

  test('a replayable message streams the same octets every time', async () => {
    const message = buildMessageStream(
      { ...base, attachments: [{ content: new ChunkedBlob(bytes, [7]) }] },
      deterministic,
    )
    const first = await collect(message.stream())
    expect(await collect(message.stream())).toEqual(first)
    expect(first.length).toBe(message.size)
  })

  test('an attachment from an async iterable of Node Buffers parses back to its bytes', async () => {
    async function* buffers() {
      for (let at = 0; at < bytes.length; at += 999) yield Buffer.from(bytes.subarray(at, at + 999))
    }
    const message = buildMessageStream({
      ...base,
      attachments: [{ filename: 'data.bin', content: buffers() }],
    })
    const parsed = await parseWithPython(text(await collect(message.stream())))
    expect(parsed.defects).toEqual([])
    expect(parsed.attachments[0]!.content.equals(Buffer.from(bytes))).toBe(true)
  })
})

describe('lazy sources', () => {
  test('buildMessage and composeMessage refuse them, naming buildMessageStream', () => {
    for (const content of [new Blob([bytes]), streamOf(bytes, [1]), iterableOf(bytes, [1])]) {
      const input = { ...base, attachments: [{ content: 'x' }, { content }] }
      for (const build of [buildMessage, composeMessage]) {
        const err = mimeError(() => build(input))
        expect(err.field).toBe('attachments[1].content')
        expect(err.message).toContain('buildMessageStream')
      }
    }
  })

  test('getEnvelope takes them, reading nothing', () => {
    const input = { ...base, attachments: [{ content: iterableOf(bytes, [1]) }] }
    expect(getEnvelope(input)).toEqual({ from: 'alice@example.com', to: ['bob@example.org'] })
  })

  test('a locked stream, or one stream given twice, is a MimeError at once', () => {
    const locked = streamOf(bytes, [10])
    locked.getReader()
    expect(
      mimeError(() => buildMessageStream({ ...base, attachments: [{ content: locked }] })).field,
    ).toBe('attachments[0].content')
    const twice = iterableOf(bytes, [10])
    const input = { ...base, attachments: [{ content: twice }, { content: twice }] }
    expect(mimeError(() => buildMessageStream(input)).field).toBe('attachments[1].content')
  })

  test('an explicit message/* type needs content in memory; a guessed one is sent as a file', async () => {
    const blob = new Blob(['From: a@b.example\r\n\r\nhi\r\n'])
    const explicit = { ...base, attachments: [{ content: blob, contentType: 'message/rfc822' }] }
    expect(mimeError(() => buildMessageStream(explicit)).field).toBe('attachments[0].content')
    const guessed = buildMessageStream(
      { ...base, attachments: [{ filename: 'fwd.eml', content: blob }] },
      deterministic,
    )
    const out = text(await collect(guessed.stream()))
    expect(out).toContain('Content-Type: application/octet-stream; name="fwd.eml"')
  })

  test('a chunk that is not bytes fails the stream with a MimeError naming the attachment', async () => {
    async function* strings() {
      yield Uint8Array.of(1, 2, 3)
      yield 'text' as unknown as Uint8Array
    }
    const message = buildMessageStream({
      ...base,
      attachments: [{ content: 'x' }, { content: strings() }],
    })
    const err = await streamError(message.stream())
    expect(err).toBeInstanceOf(MimeError)
    expect((err as MimeError).field).toBe('attachments[1].content')
  })

  test('a Blob that gives other octets than its size fails the stream', async () => {
    // As a file Blob whose file was cut short after the message was built: slices past the
    // new end read empty.
    class Shrunk extends ChunkedBlob {
      override slice(start = 0, end = this.size): Blob {
        return new Blob([bytes.slice(Math.min(start, 100), Math.min(end, 100))])
      }
    }
    const message = buildMessageStream({
      ...base,
      attachments: [{ content: new Shrunk(bytes, [50]) }],
    })
    const err = await streamError(message.stream())
    expect(err).toBeInstanceOf(MimeError)
    expect((err as MimeError).message).toMatch(/5000 octets, but 100 were read/)
  })

  test('a failing source fails the message stream with its own error', async () => {
    const failure = new Error('disk on fire')
    const source = new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.error(failure)
      },
    })
    const message = buildMessageStream({ ...base, attachments: [{ content: source }] })
    expect(await streamError(message.stream())).toBe(failure)
  })

  test('reads a source only as the message stream is read, and cancelling cancels it', async () => {
    let pulled = 0
    let cancelled: unknown
    const big = new Uint8Array(57 * 1024 * 20)
    const source = new ReadableStream<Uint8Array>(
      {
        pull(controller) {
          pulled++
          controller.enqueue(big.subarray(0, 57 * 1024))
        },
        cancel(reason) {
          cancelled = reason ?? 'cancelled'
        },
      },
      { highWaterMark: 0 },
    )
    const message = buildMessageStream({ ...base, attachments: [{ content: source }] })
    const reader = message.stream().getReader()
    expect(pulled).toBe(0)
    for (let i = 0; i < 5; i++) await reader.read()
    // Five chunks read: the headers, then about one source chunk each.
    expect(pulled).toBeGreaterThan(0)
    expect(pulled).toBeLessThanOrEqual(6)
    await reader.cancel('enough')
    expect(cancelled).toBeDefined()
  })
})
