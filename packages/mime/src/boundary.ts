/** Multipart boundaries (RFC 2046 section 5.1.1). */
import { MimeError } from './errors.js'
import { randomHex } from './random.js'
import type { LeafPart, MultipartPart, Part } from './tree.js'

/** bchars, at most 70, not ending in a space. */
const BOUNDARY = /^[0-9A-Za-z'()+_,\-./:=? ]{0,69}[0-9A-Za-z'()+_,\-./:=?]$/

/**
 * Default boundaries: '=_' can never occur in base64 or quoted-printable output (QP writes '='
 * only before two hex digits or a line break), so only 7bit parts need scanning; the index
 * sits before the random part so no boundary is a prefix of another.
 */
function defaultBoundary(random: string): (index: number) => string {
  return (index) => `=_${index}_${random}`
}

function collectParts(part: Part, multiparts: MultipartPart[], leaves: LeafPart[]): void {
  if (part.kind === 'leaf') {
    leaves.push(part)
    return
  }
  multiparts.push(part)
  for (const child of part.children) collectParts(child, multiparts, leaves)
}

/**
 * Whether `boundary` occurs in encoded text. Attachment octets (Base64Body pieces) are never
 * scanned: their base64 lines hold no '-', so no delimiter line ("--" boundary) can form in
 * them, and a streamed source is not read before the headers are written.
 */
function occursIn(boundary: string, leaves: LeafPart[]): boolean {
  const safeInEncoded = boundary.includes('=_')
  for (const leaf of leaves) {
    if (safeInEncoded && !leaf.freeText) continue
    for (const piece of leaf.body) {
      if (typeof piece === 'string' && piece.includes(boundary)) return true
    }
  }
  return false
}

/**
 * Chooses a boundary for every multipart, in output order (the outermost is index 0): unique,
 * none a prefix of another, none found in any part's content. An injected generator whose
 * boundary breaks a rule is a MimeError (field 'boundary'); the default one just draws again.
 */
export function assignBoundaries(
  root: Part,
  generator: ((index: number) => string) | undefined,
): Map<MultipartPart, string> {
  const multiparts: MultipartPart[] = []
  const leaves: LeafPart[] = []
  collectParts(root, multiparts, leaves)
  const chosen = new Map<MultipartPart, string>()
  const taken: string[] = []
  let make = generator ?? defaultBoundary(randomHex(12))
  for (let i = 0; i < multiparts.length; i++) {
    let boundary = make(i)
    for (let attempt = 0; ; attempt++) {
      const problem =
        typeof boundary !== 'string' || !BOUNDARY.test(boundary)
          ? 'must be 1 to 70 boundary characters (RFC 2046 5.1.1)'
          : taken.some((t) => t.startsWith(boundary) || boundary.startsWith(t))
            ? 'must not be a prefix of another boundary'
            : occursIn(boundary, leaves)
              ? 'occurs in the content of a part'
              : undefined
      if (problem === undefined) break
      if (generator !== undefined || attempt > 8) {
        throw new MimeError('boundary', `"${String(boundary).slice(0, 70)}" ${problem}`)
      }
      make = defaultBoundary(randomHex(12))
      boundary = make(i)
    }
    taken.push(boundary)
    chosen.set(multiparts[i]!, boundary)
  }
  return chosen
}
