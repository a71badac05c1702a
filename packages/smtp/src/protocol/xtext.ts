import { inputError } from '../errors.js'
import { shown } from './text.js'

/**
 * RFC 3461 4: xtext, used for ENVID and ORCPT values. Printable ASCII except '+' and '=' as is;
 * everything else as '+XX'. Non-ASCII input is refused (use {@link utf8AddrXtext}).
 *
 * @example xtext('a+b=c') // 'a+2Bb+3Dc'
 */
export function xtext(value: string, field: string): string {
  let out = ''
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i)
    if (c > 126) throw inputError(`${field} must be ASCII: ${shown(value)}`, field)
    out +=
      c < 33 || c === 43 || c === 61
        ? `+${c.toString(16).toUpperCase().padStart(2, '0')}`
        : value[i]
  }
  return out
}

/**
 * RFC 6533 3: utf-8-addr-xtext for an ORCPT address with SMTPUTF8 in use: UTF-8 kept, controls,
 * space, '+', '=' and '\' as '\x{HEX}'.
 *
 * @example utf8AddrXtext('j+1@exämple.org') // 'j\\x{2B}1@exämple.org'
 */
export function utf8AddrXtext(value: string): string {
  let out = ''
  for (const ch of value) {
    const c = ch.codePointAt(0) ?? 0
    out +=
      c < 33 || c === 43 || c === 61 || c === 92 || c === 127
        ? `\\x{${c.toString(16).toUpperCase()}}`
        : ch
  }
  return out
}
