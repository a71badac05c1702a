import { CRLF } from '../policy.js'

const ANY_LINE_BREAK = /\r\n|\r|\n/g
const LONE_LF = /\n/g
const BARE_LINE_BREAK = /\r(?!\n)|(?<!\r)\n/

/**
 * Every line break (CRLF, lone CR, lone LF) becomes CRLF: RFC 5322 section 2.3 allows no other
 * line ending, and a lone CR or LF is how SMTP smuggling starts.
 */
export function toCrlf(text: string): string {
  if (text.indexOf('\r') === -1) {
    return text.indexOf('\n') === -1 ? text : text.replace(LONE_LF, CRLF)
  }
  // Text that is CRLF already (a whole message to sign, say) is returned, not copied.
  return BARE_LINE_BREAK.test(text) ? text.replace(ANY_LINE_BREAK, CRLF) : text
}
