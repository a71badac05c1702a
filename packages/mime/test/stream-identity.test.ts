// One serializer: for the whole corpus, the streamed message is buildMessage's string, byte for
// byte, whatever the chunking of the sources (every line, base64 quantum and UTF-8 sequence cut).
import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import {
  type Attachment,
  type BuildOptions,
  buildMessage,
  buildMessageStream,
  type MessageInput,
} from '../src/index.js'
import {
  deterministic,
  everything,
  randomInput,
  randomMessage,
  shapeInput,
  shapes,
} from './fixtures/messages.js'
import { collect, type SourceKind, sourceOf } from './fixtures/sources.js'
import { expectWellFormed } from './roundtrip/helpers.js'

const utf8 = new TextEncoder()
const KINDS: SourceKind[] = ['blob', 'stream', 'iterable']

/** The input with every byte attachment given as `kind`, fed in chunks of `sizes` (cycled). */
function lazy(input: MessageInput, kind: SourceKind, sizes: number[]): MessageInput {
  const attachments = input.attachments?.map(
    (a): Attachment =>
      a.content instanceof Uint8Array ? { ...a, content: sourceOf(a.content, kind, sizes) } : a,
  )
  return { ...input, ...(attachments && { attachments }) }
}

/** Streams `input` and checks it against buildMessage of `reference`, size included. */
async function expectSameBytes(
  input: MessageInput,
  reference: MessageInput,
  options: BuildOptions,
): Promise<void> {
  const expected = utf8.encode(buildMessage(reference, options))
  const message = buildMessageStream(input, options)
  const got = await collect(message.stream())
  expect(Buffer.from(got).equals(Buffer.from(expected))).toBe(true)
  if (message.size !== undefined) expect(message.size).toBe(expected.length)
  // What `crlf` promises the SMTP client, which then checks no line end itself.
  expect(message.crlf).toBe(true)
  expectWellFormed(Buffer.from(got).toString('utf8'))
}

const corpus: [string, MessageInput][] = [
  ['everything (golden)', everything],
  ...shapes.map((s, i): [string, MessageInput] => [`shape ${i}`, shapeInput(s)]),
  [
    'a single-part attachment, which ends the message',
    { from: 'a@example.com', attachments: [{ content: Uint8Array.of(1, 2, 3, 4) }] },
  ],
  ['an empty single-part attachment', { from: 'a@example.com', attachments: [{ content: '' }] }],
  [
    'an empty single-part byte attachment',
    { from: 'a@example.com', attachments: [{ content: new Uint8Array(0) }] },
  ],
  [
    'an attachment of exactly one line',
    { from: 'a@example.com', attachments: [{ content: new Uint8Array(57).fill(7) }] },
  ],
  [
    'a large text body and a large attachment',
    {
      from: 'a@example.com',
      text: 'Grüße 😀 '.repeat(30_000),
      html: `<p>${'ü'.repeat(100_000)}</p>`,
      attachments: [{ content: Uint8Array.from({ length: 300_001 }, (_, i) => (i * 7919) >> 3) }],
    },
  ],
  [
    'an attached UTF-8 message (8bit)',
    {
      from: 'a@example.com',
      text: 'fwd',
      attachments: [{ filename: 'fwd.eml', content: 'From: a@b.example\r\n\r\nGrüße 😀\r\n' }],
    },
  ],
]

describe('buildMessageStream gives buildMessage’s bytes', () => {
  test.each(corpus)('%s, in memory', async (_, input) => {
    await expectSameBytes(input, input, deterministic)
  })

  test.each(corpus)(
    '%s, its bytes from Blobs, streams and iterables in tiny chunks',
    async (_, input) => {
      // 1 to 7 cut every base64 quantum and line many times; 56-58 and 113 sit at line edges.
      for (const sizes of [[1], [2], [3], [5, 7], [56], [57], [58, 1, 113]]) {
        for (const kind of KINDS) {
          await expectSameBytes(lazy(input, kind, sizes), input, deterministic)
        }
      }
    },
  )

  test('for random messages and random chunkings', async () => {
    await fc.assert(
      fc.asyncProperty(
        randomMessage,
        fc.constantFrom(...KINDS),
        fc.array(fc.integer({ min: 1, max: 200 }), { minLength: 1, maxLength: 5 }),
        async (m, kind, sizes) => {
          const input = randomInput(m)
          await expectSameBytes(input, input, deterministic)
          await expectSameBytes(lazy(input, kind, sizes), input, deterministic)
        },
      ),
      { numRuns: 150 },
    )
  })

  test('with SMTPUTF8 addresses and with the default random boundaries and Message-ID', async () => {
    const input: MessageInput = {
      from: 'Zoë <zoë@bücher.example>',
      to: ['用户@例子.广告', 'bob@example.org'],
      subject: 'Grüße',
      text: 'Hallo',
      attachments: [{ filename: 'a.bin', content: new Uint8Array(1000).fill(200) }],
    }
    await expectSameBytes(input, input, { ...deterministic, smtputf8: true })
    // Random generators: each call differs, so compare one stream against itself for shape only.
    const message = buildMessageStream(input, { smtputf8: true })
    const bytes = await collect(message.stream())
    expect(bytes.length).toBe(message.size)
    expect(Buffer.from(bytes).toString('utf8')).toContain(`Message-ID: ${message.messageId}\r\n`)
  })

  test('the stream reads the text of the output in chunks of bounded size', async () => {
    const input = corpus.find(([name]) => name.startsWith('a large text'))![1]
    const reader = buildMessageStream(input, deterministic).stream().getReader()
    let largest = 0
    for (let r = await reader.read(); !r.done; r = await reader.read()) {
      largest = Math.max(largest, r.value.length)
    }
    expect(largest).toBeLessThanOrEqual(3 * 64 * 1024)
  })
})
