// RFC 6376 section 3.4: the two canonicalization algorithms, for header fields and for the body.

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

// The index just past the last line of `body` that is not empty (empty lines at the end are
// ignored by both body algorithms).
function endOfContent(body: string): number {
  let end = body.length
  while (end >= 2 && body.charCodeAt(end - 1) === 10 && body.charCodeAt(end - 2) === 13) end -= 2
  return end
}

/**
 * RFC 6376 3.4.3: drop the empty lines at the end; a missing final CRLF is added, and an empty
 * body becomes a single CRLF. `body` has CRLF line endings.
 */
export function canonicalizeBodySimple(body: string): string {
  const end = endOfContent(body)
  return end === body.length ? `${body}\r\n` : body.slice(0, end + 2)
}

// One scan: WSP before a line end (or the end of the body) goes away, any other run of WSP that
// is not already a single SP becomes one SP.
const BODY_WSP = /[ \t]+(\r\n|$)|\t[ \t]*| [ \t]+/g

function reduceWsp(_run: string, lineEnd: string | undefined): string {
  return lineEnd ?? ' '
}

/**
 * RFC 6376 3.4.4: ignore WSP at line ends, reduce WSP runs to one SP, drop empty lines at the
 * end; a non-empty body ends with CRLF, and an empty one stays empty (only a non-empty body gets
 * the CRLF added).
 */
export function canonicalizeBodyRelaxed(body: string): string {
  const reduced = body.replace(BODY_WSP, reduceWsp)
  const end = endOfContent(reduced)
  if (end === 0) return ''
  return end === reduced.length ? `${reduced}\r\n` : reduced.slice(0, end + 2)
}

/** Picks the body canonicalization function for an algorithm name. */
export function bodyCanonicalizer(algorithm: CanonicalizationAlgorithm): (body: string) => string {
  return algorithm === 'relaxed' ? canonicalizeBodyRelaxed : canonicalizeBodySimple
}
