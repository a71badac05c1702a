/**
 * IDNA for domains in headers and envelopes: a Unicode domain becomes its ASCII form through the
 * WHATWG URL host parser, which every runtime this package supports has (Node, Deno, Bun,
 * Workers, browsers). It applies the whole UTS 46 mapping (case, width, compatibility forms,
 * ignored characters such as the soft hyphen), its validity checks, and Punycode (RFC 3492), so
 * 'Ｍünchen.de' is 'xn--mnchen-3ya.de' here exactly as in a browser's address bar.
 */
import { isAscii } from '../encode/utf8.js'

/**
 * ASCII that a Unicode domain may not hold: anything but letters, digits, '-' and '.' (RFC 5890
 * LDH labels). The URL parser would read such characters as URL syntax ('/', '?', '#', '@',
 * ':'), percent-escapes ('%') or drop them, so they are refused before it sees them.
 */
const NOT_LDH = /[\x00-\x2c/\x3a-\x40\x5b-\x60\x7b-\x7f]/

/**
 * A domain in its ASCII form (RFC 5891 section 4.4), as this package writes it in headers and
 * envelopes: an ASCII domain is kept exactly as written; any other is mapped by UTS 46 (case,
 * width, compatibility forms, ignored characters) and then encoded in Punycode (RFC 3492), label
 * by label, the same as a browser's address bar. Use it to put an address you write yourself
 * (an explicit SMTP envelope, say) in the form the built message uses.
 *
 * @example domainToAscii('bücher.example') // 'xn--bcher-kva.example'
 * @example domainToAscii('Ｍünchen.DE') // 'xn--mnchen-3ya.de'
 * @throws Error (a plain one; callers name their own field) for a domain with no valid ASCII
 * form: characters no host name holds, an empty label, a label over 63 octets once encoded.
 */
export function domainToAscii(domain: string): string {
  if (isAscii(domain)) return domain
  if (NOT_LDH.test(domain)) {
    throw new Error(`domain "${domain}" mixes Unicode with characters no host name holds`)
  }
  let host: string
  try {
    host = new URL(`http://${domain}/`).hostname
  } catch {
    throw new Error(`domain "${domain}" is not a valid internationalized domain name`)
  }
  for (const label of host.split('.')) {
    if (label === '') throw new Error(`domain "${domain}" has an empty label`)
    // RFC 1035 section 2.3.4: a label is at most 63 octets.
    if (label.length > 63) throw new Error(`domain label "${label}" is too long once encoded`)
  }
  return host
}
