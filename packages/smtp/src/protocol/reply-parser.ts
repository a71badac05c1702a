/**
 * A complete server reply.
 *
 * @example
 * { code: 250, enhancedCode: '2.1.0', lines: ['2.1.0 Ok'], message: 'Ok', raw: '250 2.1.0 Ok' }
 */
export interface Reply {
  readonly code: number
  /** RFC 3463 enhanced status code from the first line, when present and of the same class. */
  readonly enhancedCode?: string
  /** The text of each line after the code and separator. */
  readonly lines: readonly string[]
  /** The text without code or enhanced code, lines joined with '\n'. */
  readonly message: string
  /** The reply as received (without CRLF), lines joined with '\n'. */
  readonly raw: string
}

import { CR, LF, MAX_REPLY_LINE_OCTETS, MAX_REPLY_LINES, MAX_REPLY_OCTETS } from './wire.js'

/** A 2xx reply: the command succeeded (RFC 5321 4.2.1). */
export function positive(reply: Reply): boolean {
  return reply.code >= 200 && reply.code < 300
}

/** Thrown when the server sends something that is not an SMTP reply, or a reply beyond bounds. */
export class ReplySyntaxError extends Error {
  override readonly name = 'ReplySyntaxError'
}

// RFC 3463 2: class.subject.detail
const ENHANCED = /^([245])\.(\d{1,3})\.(\d{1,3})(?= |$)/
// Single-line replies up to this length are remembered, this many of them.
const CACHED_LINE = 80
const CACHE_SIZE = 8
const decoder = new TextDecoder()

/**
 * Incremental reply parser (RFC 5321 4.2): feed it bytes as they arrive, split anywhere, and it
 * returns each complete reply once, multiline replies joined. Replies are shared (a repeated
 * line gives the same object): treat them as read-only.
 *
 * @example
 * const p = new ReplyParser()
 * p.push(bytes('250-a\r\n25')) // []
 * p.push(bytes('0 b\r\n'))     // [{ code: 250, lines: ['a', 'b'], ... }]
 */
export class ReplyParser {
  private partial: Uint8Array | undefined
  private lines: string[] = []
  /** Octets of the lines of the unfinished multiline reply. */
  private octets = 0
  private code = 0
  // Recent single-line replies by their bytes: a server answers MAIL, RCPT and DATA with the
  // same few lines again and again, so a pipelined session reuses them instead of decoding.
  private readonly cacheKeys: Uint8Array[] = []
  private readonly cacheReplies: Reply[] = []
  private cacheNext = 0

  /** Drops buffered bytes, e.g. plaintext that followed the STARTTLS reply (RFC 3207 4.2). */
  reset(): void {
    this.partial = undefined
    this.lines = []
    this.octets = 0
    this.code = 0
  }

  push(chunk: Uint8Array): Reply[] {
    const replies: Reply[] = []
    let data = chunk
    if (this.partial !== undefined) {
      data = new Uint8Array(this.partial.length + chunk.length)
      data.set(this.partial)
      data.set(chunk, this.partial.length)
      this.partial = undefined
    }
    let start = 0
    for (;;) {
      const nl = data.indexOf(LF, start)
      if (nl < 0) break
      const end = nl > start && data[nl - 1] === CR ? nl - 1 : nl
      const short = end - start <= CACHED_LINE && this.lines.length === 0
      let reply = short ? this.cached(data, start, end) : undefined
      if (reply === undefined) {
        reply = this.line(decodeLine(data, start, end), end - start)
        if (short && reply !== undefined) this.remember(data, start, end, reply)
      }
      if (reply !== undefined) replies.push(reply)
      start = nl + 1
    }
    if (start < data.length) {
      if (data.length - start > MAX_REPLY_LINE_OCTETS) {
        throw new ReplySyntaxError('Reply line too long')
      }
      this.partial = data.slice(start)
    }
    return replies
  }

  private cached(data: Uint8Array, start: number, end: number): Reply | undefined {
    const n = end - start
    const keys = this.cacheKeys
    for (let k = 0; k < keys.length; k++) {
      const key = keys[k]!
      if (key.length !== n) continue
      let i = 0
      while (i < n && key[i] === data[start + i]) i++
      if (i === n) return this.cacheReplies[k]
    }
    return undefined
  }

  private remember(data: Uint8Array, start: number, end: number, reply: Reply): void {
    const k = this.cacheNext
    this.cacheNext = (k + 1) % CACHE_SIZE
    this.cacheKeys[k] = data.slice(start, end)
    this.cacheReplies[k] = reply
  }

  private line(text: string, octets: number): Reply | undefined {
    // RFC 5321 4.2: Reply-code [ ("-" / SP) textstring ]
    const c0 = text.charCodeAt(0) - 48
    const c1 = text.charCodeAt(1) - 48
    const c2 = text.charCodeAt(2) - 48
    const sep = text[3]
    if (
      !(c0 >= 2 && c0 <= 5 && c1 >= 0 && c1 <= 9 && c2 >= 0 && c2 <= 9) ||
      (sep !== undefined && sep !== ' ' && sep !== '-')
    ) {
      throw new ReplySyntaxError(`Malformed reply line: ${JSON.stringify(text.slice(0, 80))}`)
    }
    const code = c0 * 100 + c1 * 10 + c2
    if (this.lines.length > 0 && code !== this.code) {
      throw new ReplySyntaxError(`Reply code changed inside a multiline reply: ${code}`)
    }
    this.code = code
    this.lines.push(text.slice(4))
    if (sep === '-') {
      this.octets += octets
      if (this.lines.length >= MAX_REPLY_LINES || this.octets > MAX_REPLY_OCTETS) {
        throw new ReplySyntaxError(
          `Reply too long: a reply may have at most ${MAX_REPLY_LINES} lines and ${MAX_REPLY_OCTETS / 1024} KiB`,
        )
      }
      return undefined
    }
    const lines = this.lines
    this.lines = []
    this.octets = 0
    return makeReply(code, lines)
  }
}

/** A line as text: short ASCII lines (nearly all replies) without a trip into TextDecoder. */
function decodeLine(data: Uint8Array, start: number, end: number): string {
  if (end - start > 128) return decoder.decode(data.subarray(start, end))
  let text = ''
  for (let i = start; i < end; i++) {
    const c = data[i]!
    if (c > 127) return decoder.decode(data.subarray(start, end))
    text += String.fromCharCode(c)
  }
  return text
}

/** Builds a {@link Reply} from its code and line texts. */
export function makeReply(code: number, lines: string[]): Reply {
  const first = lines[0] ?? ''
  const m = first.charCodeAt(1) === 46 ? ENHANCED.exec(first) : null
  const enhanced = m !== null && Number(m[1]) === Math.floor(code / 100) ? m[0] : undefined
  if (lines.length === 1) {
    // The common case, without the array work below.
    const message = (enhanced === undefined ? first : first.slice(enhanced.length)).trim()
    const raw = `${code} ${first}`.trimEnd()
    return enhanced === undefined
      ? { code, lines, message, raw }
      : { code, enhancedCode: enhanced, lines, message, raw }
  }
  const message = lines
    .map((l) => (enhanced !== undefined && l.startsWith(enhanced) ? l.slice(enhanced.length) : l))
    .map((l) => l.trim())
    .join('\n')
  const raw = lines
    .map((l, i) => `${code}${i === lines.length - 1 ? ' ' : '-'}${l}`.trimEnd())
    .join('\n')
  return enhanced === undefined
    ? { code, lines, message, raw }
    : { code, enhancedCode: enhanced, lines, message, raw }
}
