import { CRLF } from '../policy.js'

const ANY_LINE_BREAK = /\r\n|\r|\n/g
const LONE_LF = /\n/g

/**
 * Every line break (CRLF, lone CR, lone LF) becomes CRLF: RFC 5322 section 2.3 allows no other
 * line ending, and a lone CR or LF is how SMTP smuggling starts.
 */
export function toCrlf(text: string): string {
  if (text.indexOf('\r') === -1) {
    return text.indexOf('\n') === -1 ? text : text.replace(LONE_LF, CRLF)
  }
  return text.replace(ANY_LINE_BREAK, CRLF)
}
