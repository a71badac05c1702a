// Signing a streamed message in two passes: the first read hashes the body as it goes by and
// keeps only the header section; the signed message's stream() writes the signature field and
// reads the message a second time. Memory holds the header section and one chunk.
import { utf8Encode } from '../encode/utf8.js'
import { CRLF } from '../policy.js'
import type { StreamedMessage } from '../types.js'
import { dkimError } from './error.js'
import { type HeaderField, splitMessage } from './message.js'
import type { DkimConfig } from './options.js'
import { type BodyDigest, BodyHasher, requireFrom, signatureField, signingKey } from './signer.js'

/** A header section this long is not one: the blank line after it never came. */
const MAX_HEADER = 16 * 1024 * 1024
const CR = 13
const LF = 10
const strictUtf8 = new TextDecoder('utf-8', { fatal: true })
const BARE_LINE_BREAK = /\r(?!\n)|(?<!\r)\n/

/** What the first read learns. */
interface FirstRead {
  fields: HeaderField[]
  body: BodyDigest
  /** Octets the message gave. */
  length: number
  /**
   * What the signed message adds after the message, as the string signer does: the CRLF that
   * ends an unterminated last line, and the blank line that ends a message that is all header.
   */
  trailer: string
}

function bytesOf(chunk: unknown): Uint8Array {
  if (chunk instanceof Uint8Array) return chunk
  throw dkimError('message', 'stream() gave a chunk that is not a Uint8Array')
}

/** The header section's fields, from its octets (the blank line included when there is one). */
function headerFields(chunks: Uint8Array[], trailer: string): HeaderField[] {
  const octets = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0))
  let at = 0
  for (const chunk of chunks) {
    octets.set(chunk, at)
    at += chunk.length
  }
  let text: string
  try {
    text = strictUtf8.decode(octets)
  } catch {
    throw dkimError('message', 'has a header section that is not UTF-8')
  }
  if (BARE_LINE_BREAK.test(text)) {
    throw dkimError('message', 'has a bare CR or LF in its header: it needs CRLF line endings')
  }
  return splitMessage(text + trailer, 'message').fields
}

/** Reads the message once: its header section, its body hash, its length. */
async function readOnce(message: StreamedMessage, config: DkimConfig): Promise<FirstRead> {
  const reader = message.stream().getReader()
  const hasher = new BodyHasher(config)
  const header: Uint8Array[] = []
  let headerSize = 0
  // Octets matched of the CRLF CRLF that ends the header, starting as if after a CRLF so that
  // a message opening with CRLF has an empty header section.
  let matched = 2
  let inBody = false
  let length = 0
  let last = 0
  let beforeLast = 0
  try {
    for (let next = await reader.read(); !next.done; next = await reader.read()) {
      const chunk = bytesOf(next.value)
      if (chunk.length === 0) continue
      length += chunk.length
      beforeLast = chunk.length > 1 ? chunk[chunk.length - 2]! : last
      last = chunk[chunk.length - 1]!
      if (inBody) {
        hasher.update(chunk)
        continue
      }
      let end = -1
      for (let i = 0; i < chunk.length && end === -1; i++) {
        const c = chunk[i]!
        if (c === CR) matched = matched === 2 ? 3 : 1
        else if (c === LF && (matched === 1 || matched === 3)) matched++
        else matched = 0
        if (matched === 4) end = i + 1
      }
      // Copies: a stream may reuse the memory of a chunk once it is read.
      header.push(chunk.slice(0, end === -1 ? chunk.length : end))
      headerSize += end === -1 ? chunk.length : end
      if (headerSize > MAX_HEADER) {
        throw dkimError('message', 'has no blank line ending its header in the first 16 MiB')
      }
      if (end !== -1) {
        inBody = true
        hasher.update(chunk.subarray(end))
      }
    }
  } catch (error) {
    await reader.cancel(error).catch(() => {})
    throw error
  } finally {
    reader.releaseLock()
  }
  const endsWithCrlf = beforeLast === CR && last === LF
  const trailer = (endsWithCrlf ? '' : CRLF) + (inBody ? '' : CRLF)
  const fields = headerFields(header, trailer)
  requireFrom(fields, 'message')
  return { fields, body: hasher.digest(), length, trailer }
}

/** The signed message's octets: the signature field, the message read again, the trailer. */
function signedStream(
  head: Uint8Array,
  message: StreamedMessage,
  expected: number,
  tail: Uint8Array,
): ReadableStream<Uint8Array> {
  const source = message.stream()
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined
  let read = 0
  return new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(head)
    },
    async pull(controller) {
      reader ??= source.getReader()
      const next = await reader.read()
      if (!next.done) {
        read += bytesOf(next.value).length
        controller.enqueue(next.value)
        return
      }
      reader.releaseLock()
      // The signature covers what the first read gave; other octets would not verify.
      if (read !== expected) {
        throw dkimError(
          'message',
          `gave ${read} octets when read again, but ${expected} when it was signed`,
        )
      }
      if (tail.length > 0) controller.enqueue(tail)
      controller.close()
    },
    cancel(reason) {
      return reader === undefined ? source.cancel(reason) : reader.cancel(reason)
    },
  })
}

/**
 * Signs a streamed message (see signDkim): the key is loaded and the message checked to be
 * replayable before anything is read.
 */
export async function signStreamed(
  message: StreamedMessage,
  config: DkimConfig,
): Promise<StreamedMessage> {
  if (message.replayable !== true) {
    throw dkimError(
      'message',
      'is not replayable (a stream or an async iterable is among its attachments): DKIM reads a message twice, once to hash its body and once to send it; give those attachments as Blobs or bytes',
    )
  }
  const key = await signingKey(config)
  const first = await readOnce(message, config)
  const field = await signatureField(config, key, first.fields, first.body)
  const head = utf8Encode(field + CRLF)
  const tail = utf8Encode(first.trailer)
  return {
    messageId: message.messageId,
    envelope: message.envelope,
    smtputf8: message.smtputf8,
    eightBit: message.eightBit,
    // The signature field is folded with CRLF: the signed message keeps the message's line ends.
    crlf: message.crlf === true,
    size: head.length + first.length + tail.length,
    replayable: true,
    stream: () => signedStream(head, message, first.length, tail),
  }
}
