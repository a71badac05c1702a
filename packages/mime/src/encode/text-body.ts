import { FOLD_WIDTH } from '../policy.js'
import { pushBase64Body } from './base64.js'
import { toCrlf } from './line-endings.js'
import { encodeQuotedPrintable } from './quoted-printable.js'
import { utf8Encode } from './utf8.js'

/** A Content-Transfer-Encoding this builder emits (RFC 2045 section 6.1). */
export type TransferEncoding = '7bit' | 'quoted-printable' | 'base64'

/**
 * True for text a 7bit part carries as is: printable ASCII, tab and line breaks only; lines of
 * at most 78 characters (RFC 5322 2.1.1); no line starting 'From ' (mbox storage mangles it).
 * One pass over the text, as this runs for every text part.
 */
function isSevenBitText(text: string): boolean {
  let width = 0
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c === 10 || c === 13) {
      width = 0
      continue
    }
    if (c > 126 || (c < 32 && c !== 9)) return false
    if (width === 0 && c === 70 && text.startsWith('From ', i)) return false
    if (++width > FOLD_WIDTH) return false
  }
  return true
}

/**
 * Chooses the transfer encoding for a text part (the one place this choice is made): 7bit for
 * ASCII with short lines, quoted-printable for mostly-ASCII text, base64 when escaping would
 * cost more than base64's fixed third.
 */
export function chooseTextEncoding(text: string): TransferEncoding {
  if (isSevenBitText(text)) return '7bit'
  let octets = 0
  let escaped = 0
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c < 0x80) {
      octets++
      if ((c < 32 && c !== 9 && c !== 10 && c !== 13) || c === 61 || c === 127) escaped++
    } else {
      // Every non-ASCII UTF-16 unit is 1.5 UTF-8 octets on average over pairs; 2-3 for BMP.
      const n = c < 0x800 ? 2 : c >= 0xd800 && c <= 0xdfff ? 2 : 3
      octets += n
      escaped += n
    }
  }
  // Quoted-printable grows each escaped octet to 3 characters; base64 grows everything by 4/3.
  return octets + 2 * escaped > Math.ceil(octets / 3) * 4 ? 'base64' : 'quoted-printable'
}

/** Pushes the encoded body of a text part (CRLF line endings, no trailing CRLF) onto `out`. */
export function pushTextBody(text: string, encoding: TransferEncoding, out: string[]): void {
  if (encoding === '7bit') out.push(toCrlf(text))
  else if (encoding === 'quoted-printable') out.push(encodeQuotedPrintable(text))
  else pushBase64Body(utf8Encode(toCrlf(text)), out)
}
