/**
 * Attachment content: where its octets come from. A string (UTF-8 text, or base64 or hex with
 * `encoding`) or bytes are in memory; a Blob, a ReadableStream or an async iterable is a lazy
 * source, read only when the message is streamed. Nothing here opens a file or a URL: getting a
 * Blob for a path is the caller's explicit act.
 */
import { base64Decode } from './encode/base64.js'
import { utf8Encode } from './encode/utf8.js'
import { MimeError } from './errors.js'

/** Octets read only when the message is streamed: a Blob is sized and can be read again. */
export type LazySource = Blob | ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>

/** An attachment's content after validation: exactly one of bytes and source is set. */
export interface Content {
  bytes: Uint8Array | undefined
  source: LazySource | undefined
  /** Octets, when known before reading (bytes and Blobs). */
  size: number | undefined
}

/** A Blob, also one from another realm or runtime (Bun.file, a File), by what it offers. */
export function isBlob(value: unknown): value is Blob {
  if (typeof Blob === 'function' && value instanceof Blob) return true
  const v = value as Partial<Blob> | null
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof v.size === 'number' &&
    typeof v.stream === 'function' &&
    typeof v.slice === 'function'
  )
}

function isReadableStream(value: object): value is ReadableStream<Uint8Array> {
  return typeof (value as Partial<ReadableStream>).getReader === 'function'
}

function isAsyncIterable(value: object): value is AsyncIterable<Uint8Array> {
  return typeof (value as Partial<AsyncIterable<unknown>>)[Symbol.asyncIterator] === 'function'
}

/** Streams and iterables can be read once; Blobs and bytes again and again. */
export function isOneShot(source: LazySource | undefined): boolean {
  return source !== undefined && !isBlob(source)
}

/** What a lazy source is called in messages. */
export function describeSource(source: LazySource): string {
  if (isBlob(source)) return 'a Blob'
  return isReadableStream(source) ? 'a ReadableStream' : 'an async iterable'
}

/** A string in the given `encoding` as octets; invalid text is a MimeError naming `field`. */
function decodeString(text: string, encoding: unknown, field: string): Uint8Array {
  if (encoding === undefined) return utf8Encode(text)
  if (encoding === 'base64') {
    const bytes = base64Decode(text)
    if (bytes === undefined) {
      throw new MimeError(`${field}.content`, "is not valid base64 (with encoding: 'base64')")
    }
    return bytes
  }
  if (encoding === 'hex') {
    if (text.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(text)) {
      throw new MimeError(`${field}.content`, "is not valid hex (with encoding: 'hex')")
    }
    const bytes = new Uint8Array(text.length / 2)
    for (let i = 0; i < bytes.length; i++)
      bytes[i] = Number.parseInt(text.slice(2 * i, 2 * i + 2), 16)
    return bytes
  }
  throw new MimeError(
    `${field}.encoding`,
    `must be 'base64' or 'hex', got ${JSON.stringify(encoding)} (a string without encoding is UTF-8 text; give other octets as a Uint8Array)`,
  )
}

/**
 * Checks an attachment's `content` (and `encoding`, which applies to string content only).
 * Errors name `field` plus `.content` or `.encoding`.
 */
export function contentOf(content: unknown, encoding: unknown, field: string): Content {
  if (typeof content === 'string') {
    const bytes = decodeString(content, encoding, field)
    return { bytes, source: undefined, size: bytes.length }
  }
  if (encoding !== undefined) {
    throw new MimeError(
      `${field}.encoding`,
      'applies to string content only: bytes, Blobs and streams are attached as they are',
    )
  }
  let bytes: Uint8Array | undefined
  if (content instanceof Uint8Array) bytes = content
  // Views and buffers from another realm (iframes, vm contexts) fail instanceof; still bytes.
  else if (ArrayBuffer.isView(content)) {
    bytes = new Uint8Array(content.buffer, content.byteOffset, content.byteLength)
  } else if (content instanceof ArrayBuffer) bytes = new Uint8Array(content)
  if (bytes !== undefined) return { bytes, source: undefined, size: bytes.length }
  if (typeof content === 'object' && content !== null) {
    if (isBlob(content)) return { bytes: undefined, source: content, size: content.size }
    if (isReadableStream(content)) {
      if (content.locked) {
        throw new MimeError(`${field}.content`, 'is a ReadableStream that is already being read')
      }
      return { bytes: undefined, source: content, size: undefined }
    }
    if (isAsyncIterable(content)) return { bytes: undefined, source: content, size: undefined }
  }
  throw new MimeError(
    `${field}.content`,
    'must be a string, a Uint8Array, a Blob, a ReadableStream or an async iterable of Uint8Array',
  )
}

/** One chunk from a source as a Uint8Array; anything else is a MimeError naming the field. */
function asBytes(chunk: unknown, field: string): Uint8Array {
  if (chunk instanceof Uint8Array) return chunk
  if (ArrayBuffer.isView(chunk)) {
    return new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength)
  }
  throw new MimeError(
    `${field}.content`,
    `gave ${typeof chunk === 'string' ? 'a string' : typeof chunk} where a Uint8Array chunk was expected`,
  )
}

/**
 * The chunks of a lazy source, read as the consumer asks (so memory holds one chunk, or a few
 * slices of a Blob), checked to be bytes; a Blob must give exactly its size. Leaving early (a
 * cancelled message stream) cancels the source.
 */
export async function* readSource(source: LazySource, field: string): AsyncGenerator<Uint8Array> {
  if (isBlob(source)) {
    yield* readBlob(source, field)
    return
  }
  if (!isReadableStream(source)) {
    for await (const chunk of source) yield asBytes(chunk, field)
    return
  }
  const reader = source.getReader()
  let done = false
  try {
    for (;;) {
      const next = await reader.read()
      if (next.done) break
      yield asBytes(next.value, field)
    }
    done = true
  } finally {
    if (!done) await reader.cancel().catch(() => {})
    reader.releaseLock()
  }
}

// A Blob is read in slices of this size, this many at once: a file-backed Blob reads each slice
// on its own (one round trip to the file per 64 KiB in Node's blob.stream()), so several in
// flight hide those round trips: four made a 256 MiB send about 10% faster than two, for 2-3 MiB
// more peak memory. Memory holds at most BLOB_AHEAD slices. Larger slices read a little faster
// (1 MiB, three ahead) but leave more garbage for the collector: a 128 MiB send then grew the
// client by 56-70 MiB instead of about 51 MiB.
const BLOB_SLICE = 256 * 1024
const BLOB_AHEAD = 4

/**
 * A Blob's octets in order, BLOB_AHEAD slices requested ahead of the one yielded; it must give
 * exactly its size (a file Blob whose file changed fails to read, or reads short).
 */
async function* readBlob(blob: Blob, field: string): AsyncGenerator<Uint8Array> {
  const size = blob.size
  const pending: Promise<ArrayBuffer>[] = []
  let next = 0
  const request = () => {
    while (pending.length < BLOB_AHEAD && next < size) {
      const slice = blob.slice(next, Math.min(size, next + BLOB_SLICE)).arrayBuffer()
      // Settled even when abandoned (a cancelled message stream): no unhandled rejection.
      slice.catch(() => {})
      pending.push(slice)
      next += BLOB_SLICE
    }
  }
  request()
  let read = 0
  while (pending.length > 0) {
    const chunk = new Uint8Array(await pending.shift()!)
    request()
    read += chunk.length
    yield chunk
  }
  if (read !== size) {
    throw new MimeError(
      `${field}.content`,
      `is a Blob of ${size} octets, but ${read} were read: its file changed after the message was built`,
    )
  }
}
