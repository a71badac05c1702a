// signDkim of a StreamedMessage: two passes, the same signature as for the same message as a
// string, verified by python3-dkim and mailauth; one-shot messages refused before any read.
import { type DkimCanonicalization, type DkimOptions, signDkim } from '@mail/mime/dkim'
import { beforeAll, describe, expect, it } from 'vitest'
import {
  buildMessage,
  buildMessageStream,
  MimeError,
  type StreamedMessage,
} from '../../src/index.js'
import { deterministic, everything, shapeInput, shapes } from '../fixtures/messages.js'
import { ChunkedBlob, collect, streamOf } from '../fixtures/sources.js'
import { ed25519Key, rsaKey, type TestKey } from './keys.js'
import { MESSAGES } from './messages.js'
import { verifyAllWithMailauth, verifyWithPython } from './verifiers.js'

const CANONICALIZATIONS: DkimCanonicalization[] = [
  'relaxed/relaxed',
  'relaxed/simple',
  'simple/relaxed',
  'simple/simple',
]
const DNS_NAME = 'test._domainkey.example.com'
const utf8 = new TextEncoder()
const text = (bytes: Uint8Array) => Buffer.from(bytes).toString('utf8')

let rsa: TestKey
let ed: TestKey

beforeAll(() => {
  rsa = rsaKey(2048)
  ed = ed25519Key()
})

/** Fixed signing time, so a string and a stream signed alike give the same signature. */
function options(key: TestKey, extra: Partial<DkimOptions> = {}): DkimOptions {
  const now = () => new Date('2026-11-28T20:10:50Z')
  return { domain: 'example.com', selector: 'test', privateKey: key.pkcs8, now, ...extra }
}

/** A raw message as a replayable StreamedMessage, handed out in chunks of `sizes` octets. */
function streamed(raw: string, sizes: number[], replayable = true): StreamedMessage {
  const bytes = utf8.encode(raw)
  return {
    messageId: '<m@example.com>',
    envelope: { from: 'alice@example.com', to: ['bob@example.org'] },
    size: bytes.length,
    replayable,
    smtputf8: false,
    eightBit: false,
    crlf: false,
    stream: () => streamOf(bytes, sizes),
  }
}

async function rejection(promise: Promise<unknown>): Promise<MimeError> {
  try {
    await promise
  } catch (error) {
    expect(error).toBeInstanceOf(MimeError)
    return error as MimeError
  }
  throw new Error('expected a MimeError')
}

describe('signDkim of a streamed message', () => {
  it('gives exactly the string signer’s message, for every raw shape, chunking and canonicalization', async () => {
    for (const [shape, raw] of Object.entries(MESSAGES)) {
      if (shape === 'bare LF line endings') continue
      for (const key of [rsa, ed]) {
        for (const canonicalization of CANONICALIZATIONS) {
          const expected = await signDkim(raw, options(key, { canonicalization, bodyLength: true }))
          for (const sizes of [[1], [3, 5], [1000]]) {
            const signed = await signDkim(
              streamed(raw, sizes),
              options(key, { canonicalization, bodyLength: true }),
            )
            const got = await collect(signed.stream())
            expect(text(got), `${shape} ${key.kind} ${canonicalization} ${sizes}`).toBe(expected)
            expect(signed.size).toBe(got.length)
            // No claim of CRLF line ends is made for a message that did not make it.
            expect(signed.crlf).toBe(false)
          }
        }
      }
    }
  })

  it('signs built messages, Blob attachments included, so that python3-dkim and mailauth pass them', async () => {
    const png = Uint8Array.from({ length: 40_000 }, (_, i) => (i * 131) >> 2)
    const inputs = [
      everything,
      ...shapes.map(shapeInput),
      {
        from: 'alice@example.com',
        to: 'bob@example.org',
        text: 'see attached',
        attachments: [{ filename: 'a.png', content: new ChunkedBlob(png, [7, 1000]) }],
      },
    ]
    const cases = []
    for (const input of inputs) {
      for (const key of [rsa, ed]) {
        const signed = await signDkim(buildMessageStream(input, deterministic), options(key))
        expect(signed.replayable).toBe(true)
        const message = text(await collect(signed.stream()))
        expect(message.startsWith('DKIM-Signature: ')).toBe(true)
        cases.push({ message, records: { [DNS_NAME]: key.txt } })
      }
    }
    const [python, mailauth] = await Promise.all([
      verifyWithPython(cases),
      verifyAllWithMailauth(cases),
    ])
    expect(python.every((v) => v === 'pass')).toBe(true)
    expect(mailauth.every((v) => v === 'pass')).toBe(true)
  })

  it('signs a built in-memory message exactly as signing buildMessage’s string does', async () => {
    const expected = await signDkim(buildMessage(everything, deterministic), options(ed))
    const signed = await signDkim(buildMessageStream(everything, deterministic), options(ed))
    expect(text(await collect(signed.stream()))).toBe(expected)
    // Signed twice: the outer signature reads the inner signed message again.
    const twice = await signDkim(signed, options(rsa))
    expect(text(await collect(twice.stream()))).toBe(await signDkim(expected, options(rsa)))
  })

  it('keeps what the message says of itself, and streams the same octets each time', async () => {
    const message = buildMessageStream(everything, deterministic)
    const signed = await signDkim(message, options(ed))
    expect(signed).toMatchObject({
      messageId: message.messageId,
      envelope: message.envelope,
      smtputf8: false,
      eightBit: false,
      crlf: true,
      replayable: true,
    })
    expect(await collect(signed.stream())).toEqual(await collect(signed.stream()))
  })

  it('refuses a one-shot message with a MimeError before reading anything', async () => {
    let read = 0
    async function* source() {
      read++
      yield Uint8Array.of(1, 2, 3)
    }
    const message = buildMessageStream({
      from: 'alice@example.com',
      attachments: [{ content: source() }],
    })
    const error = await rejection(signDkim(message, options(ed)))
    expect(error.field).toBe('message')
    expect(error.message).toMatch(/not replayable/)
    expect(read).toBe(0)
    // The message itself is untouched and can still be streamed, once.
    expect((await collect(message.stream())).length).toBeGreaterThan(0)
  })

  it('refuses bad options and keys before reading anything', async () => {
    let reads = 0
    const message = { ...streamed(MESSAGES['plain text']!, [10]) }
    const counted = {
      ...message,
      stream: () => {
        reads++
        return message.stream()
      },
    }
    expect((await rejection(signDkim(counted, options(ed, { domain: 'a b' })))).field).toBe(
      'domain',
    )
    expect((await rejection(signDkim(counted, options(ed, { privateKey: 'x' })))).field).toBe(
      'privateKey',
    )
    expect(reads).toBe(0)
  })

  it('refuses a message with bare line breaks, without From, or with a broken header', async () => {
    for (const raw of [
      MESSAGES['bare LF line endings']!,
      'From: a@example.com\r\n\r\nline\nbreak\r\n',
      'To: b@example.org\r\n\r\nhi\r\n',
      'From: a@example.com\r\nbroken line\r\n\r\nhi\r\n',
    ]) {
      expect((await rejection(signDkim(streamed(raw, [4]), options(ed)))).field).toBe('message')
    }
  })

  it('fails the signed stream when the message gives other octets the second time', async () => {
    const raw = MESSAGES['plain text']!
    let calls = 0
    const changing: StreamedMessage = {
      ...streamed(raw, [64]),
      stream: () => streamOf(utf8.encode(calls++ === 0 ? raw : `${raw}more\r\n`), [64]),
    }
    const signed = await signDkim(changing, options(ed))
    const error = await collect(signed.stream()).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(MimeError)
    expect((error as MimeError).message).toMatch(/octets when read again/)
  })

  it('refuses any message that says it is not replayable', async () => {
    const oneShot = streamed(MESSAGES['plain text']!, [10], false)
    expect((await rejection(signDkim(oneShot, options(ed)))).field).toBe('message')
  })
})
