// RFC 6376 section 3.4: the two canonicalization algorithms, for header fields and for the body.
import { dkimError } from './error.js'

/** One canonicalization algorithm of RFC 6376 section 3.4. */
export type CanonicalizationAlgorithm = 'simple' | 'relaxed'

/**
 * RFC 6376 3.4.2: lower-case the name, unfold, reduce WSP runs to one SP, drop WSP at the end of
 * the value and around the colon. `field` is one header field without its final CRLF.
 */
export function canonicalizeHeaderRelaxed(field: string): string {
  const colon = field.indexOf(':')
  const name = field
    .slice(0, colon)
    .replace(/[ \t]+$/, '')
    .toLowerCase()
  const value = field
    .slice(colon + 1)
    .replace(/\r\n/g, '')
    .replace(/[ \t]+/g, ' ')
    .replace(/^ | $/g, '')
  return `${name}:${value}`
}

/** RFC 6376 3.4.1: the field exactly as it is, folding and case included. */
export function canonicalizeHeaderSimple(field: string): string {
  return field
}

/** Picks the header canonicalization function for an algorithm name. */
export function headerCanonicalizer(
  algorithm: CanonicalizationAlgorithm,
): (field: string) => string {
  return algorithm === 'relaxed' ? canonicalizeHeaderRelaxed : canonicalizeHeaderSimple
}

const CR = 13
const LF = 10
const SP = 32
const HTAB = 9

/**
 * RFC 6376 3.4.3 (simple) and 3.4.4 (relaxed) body canonicalization over octets fed in chunks
 * of any size, so a body of any length is hashed in one pass with constant memory. Both drop
 * the empty lines at the end (held back until a later line shows they are not at the end) and
 * end a non-empty body with CRLF; simple makes an empty body one CRLF, relaxed leaves it empty
 * and also drops whitespace at line ends and reduces other whitespace runs to one space.
 * The body must have CRLF line endings; a bare CR or LF is a MimeError.
 *
 * @example
 * ```ts
 * const body = new BodyCanonicalizer('relaxed')
 * hash.update(body.update(chunk)) // for every chunk, then
 * hash.update(body.end())
 * ```
 */
export class BodyCanonicalizer {
  private readonly relaxed: boolean
  private out = new Uint8Array(0)
  /** The last octet was a CR: its LF comes next. */
  private cr = false
  /** The current line has content written. */
  private inLine = false
  /** Relaxed: whitespace seen in the current line, written as one SP if content follows. */
  private space = false
  /** CRLFs of empty lines held back: written only if content follows them. */
  private emptyLines = 0
  /** Octets read, for the position in an error. */
  private read = 0
  /** Octets written so far (the l= length). */
  length = 0

  constructor(algorithm: CanonicalizationAlgorithm) {
    this.relaxed = algorithm === 'relaxed'
  }

  /** The canonical octets of `chunk`: a view valid until the next call. */
  update(chunk: Uint8Array): Uint8Array {
    // At most: the held-back CRLFs, a space, and every octet of the chunk.
    const room = chunk.length + 2 * this.emptyLines + 4
    if (this.out.length < room) this.out = new Uint8Array(Math.max(room, 2 * this.out.length))
    const out = this.out
    let o = 0
    const n = chunk.length
    for (let i = 0; i < n; i++) {
      const c = chunk[i]!
      if (c > SP && !this.cr) {
        // A run of octets that are neither whitespace nor line breaks (most of a body, and all
        // of a base64 line) goes out as it is, in one tight loop.
        o = this.beforeContent(out, o)
        out[o++] = c
        while (i + 1 < n && chunk[i + 1]! > SP) out[o++] = chunk[++i]!
        continue
      }
      if (this.cr) {
        if (c !== LF) this.bare(this.read + i)
        this.cr = false
        this.space = false
        if (this.inLine) {
          out[o++] = CR
          out[o++] = LF
          this.inLine = false
        } else this.emptyLines++
      } else if (c === CR) this.cr = true
      else if (c === LF) this.bare(this.read + i)
      else if (this.relaxed && (c === SP || c === HTAB)) this.space = true
      else {
        o = this.beforeContent(out, o)
        out[o++] = c
      }
    }
    this.read += chunk.length
    this.length += o
    return out.subarray(0, o)
  }

  /** What ends the canonical body: the CRLF of an unterminated last line, or simple's CRLF. */
  end(): Uint8Array {
    if (this.cr) this.bare(this.read - 1)
    const done = this.inLine || (!this.relaxed && this.length === 0)
    this.inLine = false
    if (!done) return new Uint8Array(0)
    this.length += 2
    return Uint8Array.of(CR, LF)
  }

  /** Before content in a line: the held-back empty lines, then a pending space. */
  private beforeContent(out: Uint8Array, o: number): number {
    if (!this.inLine) {
      for (; this.emptyLines > 0; this.emptyLines--) {
        out[o++] = CR
        out[o++] = LF
      }
      this.inLine = true
    }
    if (this.space) {
      out[o++] = SP
      this.space = false
    }
    return o
  }

  private bare(at: number): never {
    throw dkimError(
      'message',
      `has a bare CR or LF in its body (octet ${at}): a message to sign needs CRLF line endings`,
    )
  }
}
