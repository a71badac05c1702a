/**
 * Streaming the serializer's pieces: text as UTF-8, attachment octets as base64 lines encoded on
 * the fly. Pull-based: a chunk is made only when the reader asks for one, so memory holds about
 * one chunk of output and one chunk of a source, whatever the message's size.
 */
import { readSource } from './content.js'
import { LINE_OCTETS } from './encode/base64-lines.js'
import { Base64LineWriter } from './encode/base64-stream.js'
import { utf8Encode } from './encode/utf8.js'
import type { Base64Body, BodyPiece } from './tree.js'

/** UTF-16 units of text per output chunk (at most 3 octets each). */
const TEXT_CHUNK = 64 * 1024
/** Octets of an in-memory attachment encoded per output chunk: 1024 lines. */
const BYTES_CHUNK = 1024 * LINE_OCTETS

/** `text` as UTF-8 in chunks, never cutting a surrogate pair. */
function* textChunks(text: string): Generator<Uint8Array> {
  for (let start = 0; start < text.length; ) {
    let end = Math.min(start + TEXT_CHUNK, text.length)
    const last = text.charCodeAt(end - 1)
    if (end < text.length && last >= 0xd800 && last <= 0xdbff) end--
    yield utf8Encode(text.slice(start, end))
    start = end
  }
}

async function* octetChunks(body: Base64Body): AsyncGenerator<Uint8Array> {
  const { octets } = body
  if (octets instanceof Uint8Array) {
    for (let at = 0; at < octets.length; at += BYTES_CHUNK) {
      yield octets.subarray(at, at + BYTES_CHUNK)
    }
    return
  }
  yield* readSource(octets, body.field)
}

async function* base64Chunks(body: Base64Body): AsyncGenerator<Uint8Array> {
  const lines = new Base64LineWriter()
  for await (const chunk of octetChunks(body)) yield* lines.write(chunk)
  const last = lines.end(body.terminated)
  if (last !== undefined) yield last
}

async function* pieceChunks(pieces: readonly BodyPiece[]): AsyncGenerator<Uint8Array> {
  // Header fields and boundaries are many short pieces: they travel together.
  let text = ''
  for (const piece of pieces) {
    if (typeof piece === 'string') {
      text += piece
      if (text.length >= TEXT_CHUNK) {
        yield* textChunks(text)
        text = ''
      }
      continue
    }
    if (text !== '') yield* textChunks(text)
    text = ''
    yield* base64Chunks(piece)
  }
  if (text !== '') yield* textChunks(text)
}

/**
 * The serialized message as a stream of UTF-8 octets, read from its pieces as the reader pulls.
 * Cancelling the stream cancels the source being read.
 */
export function streamPieces(pieces: readonly BodyPiece[]): ReadableStream<Uint8Array> {
  const chunks = pieceChunks(pieces)
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await chunks.next()
      if (next.done) controller.close()
      else controller.enqueue(next.value)
    },
    async cancel() {
      await chunks.return(undefined)
    },
  })
}
