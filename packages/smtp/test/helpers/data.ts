import { encodeLines, endLines, initialLineState } from '../../src/protocol/data.js'

// Whole-message forms of the DATA and BDAT encoders, the reference the tests compare against
// (the client itself encodes slice by slice).

/**
 * A whole message for DATA in one call: normalised, dot-stuffed and terminated.
 *
 * @example dotStuff(bytes('.hi')) // '..hi\r\n.\r\n'
 */
export function dotStuff(input: Uint8Array): Uint8Array {
  const state = initialLineState()
  return concat(encodeLines(input, state, true), endLines(state, true))
}

/** A whole message for BDAT: CRLF line endings, ending with CRLF, no stuffing. */
export function normalizeLines(input: Uint8Array): Uint8Array {
  const state = initialLineState()
  return concat(encodeLines(input, state, false), endLines(state, false))
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (b.length === 0) return a
  const out = new Uint8Array(a.length + b.length)
  out.set(a)
  out.set(b, a.length)
  return out
}
