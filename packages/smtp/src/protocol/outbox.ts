import type { WireChunk } from './types.js'

/**
 * What the session queued for the socket since its last write, in order. It counts every chunk
 * ever queued, so a chunk's position tells later whether the socket took it (`SessionHost.handed`).
 *
 * @example
 * const out = new Outbox()
 * out.push('MAIL FROM:<a@example.com>\r\n')
 * out.position // 1
 * out.take()   // ['MAIL FROM:<a@example.com>\r\n']
 */
export class Outbox {
  private chunks: WireChunk[] = []
  private count = 0

  push(chunk: WireChunk): void {
    this.chunks.push(chunk)
    this.count++
  }

  /** The position just after the last chunk queued. */
  get position(): number {
    return this.count
  }

  /** Everything queued since the last take, or undefined when nothing is. */
  take(): WireChunk[] | undefined {
    if (this.chunks.length === 0) return undefined
    const out = this.chunks
    this.chunks = []
    return out
  }
}
