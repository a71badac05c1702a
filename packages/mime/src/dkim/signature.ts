// Writing the DKIM-Signature header field (RFC 6376 section 3.5), folded to 78 characters.
import { CRLF, FOLD_WIDTH as WIDTH } from '../policy.js'

/** The tag values of one signature, all but `b=`, in the order they are written. */
export interface SignatureTags {
  a: string
  c: string
  d: string
  s: string
  t: number
  x?: number | undefined
  l?: number | undefined
  h: readonly string[]
  bh: string
}

/** The signature header up to and including `b=`, and the column the `b=` value starts at. */
export interface SignaturePrefix {
  text: string
  column: number
}

// Keep at least this much of a base64 value on the line of its tag, for readability.
const MIN_VALUE = 8

class Folder {
  text = 'DKIM-Signature:'
  column = this.text.length

  /** Adds an unbreakable piece, after a space or, when it does not fit, on a new line. */
  put(piece: string, space: boolean, reserve = 0): void {
    const need = (space ? 1 : 0) + piece.length + reserve
    if (this.column + need > WIDTH && this.column > 1) this.newline()
    else if (space) this.append(' ')
    this.append(piece)
  }

  /** Adds a base64 value, broken anywhere: RFC 6376 3.5 allows FWS inside b= and bh=. */
  stream(value: string): void {
    let at = 0
    while (at < value.length) {
      if (this.column >= WIDTH) this.newline()
      const chunk = value.slice(at, at + WIDTH - this.column)
      this.append(chunk)
      at += chunk.length
    }
  }

  newline(): void {
    this.text += CRLF + ' '
    this.column = 1
  }

  append(piece: string): void {
    this.text += piece
    this.column += piece.length
  }
}

/**
 * Writes `DKIM-Signature: v=1; a=...; ...; bh=...; b=` with folding that does not depend on the
 * signature value, so the same text is hashed (with `b=` empty, RFC 6376 3.7) and sent.
 */
export function formatSignaturePrefix(tags: SignatureTags): SignaturePrefix {
  const folder = new Folder()
  const simple: [string, string | number | undefined][] = [
    ['v', 1],
    ['a', tags.a],
    ['c', tags.c],
    ['d', tags.d],
    ['s', tags.s],
    ['t', tags.t],
    ['x', tags.x],
    ['l', tags.l],
  ]
  for (const [name, value] of simple) {
    if (value !== undefined) folder.put(`${name}=${value};`, true)
  }
  // RFC 6376 3.5: h= is a colon-separated list, with FWS allowed around each colon.
  tags.h.forEach((name, i) => {
    const piece = (i === 0 ? 'h=' : '') + name + (i === tags.h.length - 1 ? ';' : ':')
    folder.put(piece, i === 0)
  })
  folder.put('bh=', true, MIN_VALUE)
  folder.stream(`${tags.bh};`)
  folder.put('b=', true, MIN_VALUE)
  return { text: folder.text, column: folder.column }
}

/** Appends the base64 signature to the prefix, folding it the same way. */
export function appendSignatureValue(prefix: SignaturePrefix, b: string): string {
  const folder = new Folder()
  folder.text = prefix.text
  folder.column = prefix.column
  folder.stream(b)
  return folder.text
}
