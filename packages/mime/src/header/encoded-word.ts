/** RFC 2047 encoded-words for non-ASCII header text. */
import { base64Encode } from '../encode/base64.js'
import { utf8Encode } from '../encode/utf8.js'
import { ENCODED_WIDTH } from '../policy.js'

const HEX = '0123456789ABCDEF'
/** RFC 2047 section 2: an encoded-word is at most 75 characters. */
const MAX_WORD = 75
/** The least room a first word is given: enough for any one character, Q or B. */
const MIN_WORD = 24

/**
 * Room for the first encoded-word of a field's value: the word right after "Name: " cannot be
 * folded onto a line of its own, so it is shortened to keep that line within 76 characters.
 *
 * @example firstWordRoom('Subject') // 67
 */
export function firstWordRoom(fieldName: string): number {
  return Math.max(MIN_WORD, Math.min(MAX_WORD, ENCODED_WIDTH - fieldName.length - 2))
}
const Q_PREFIX = '=?utf-8?Q?'
const B_PREFIX = '=?utf-8?B?'
const PAYLOAD = MAX_WORD - Q_PREFIX.length - 2
/** Base64 payload of at most 63 characters holds 45 octets (60 characters). */
const B_OCTETS = 45

/**
 * Characters Q may leave as themselves. This is the RFC 2047 section 5(3) set for phrases,
 * the strictest context, so one encoder serves Subject, unstructured fields and display names.
 */
function qLiteral(c: number): boolean {
  return (
    (c >= 48 && c <= 57) ||
    (c >= 65 && c <= 90) ||
    (c >= 97 && c <= 122) ||
    c === 33 ||
    c === 42 ||
    c === 43 ||
    c === 45 ||
    c === 47
  )
}

/** Code points of `text`, lone surrogates replaced the way TextEncoder replaces them. */
function codePoints(text: string): string[] {
  const out: string[] = []
  for (const ch of text) {
    const c = ch.charCodeAt(0)
    out.push(c >= 0xd800 && c <= 0xdfff && ch.length === 1 ? '\ufffd' : ch)
  }
  return out
}

function qEncodeChar(ch: string): string {
  const c = ch.charCodeAt(0)
  if (ch.length === 1 && c < 0x80) {
    if (qLiteral(c)) return ch
    if (c === 32) return '_' // RFC 2047 4.2(2): '_' stands for space
    return '=' + HEX[c >> 4] + HEX[c & 15]
  }
  let s = ''
  for (const b of utf8Encode(ch)) s += '=' + HEX[b >> 4] + HEX[b & 15]
  return s
}

function qWords(chars: string[], first: number): string[] {
  const words: string[] = []
  let payload = ''
  for (const ch of chars) {
    const q = qEncodeChar(ch)
    const room = words.length === 0 ? first - (MAX_WORD - PAYLOAD) : PAYLOAD
    // RFC 2047 section 5: a character's octets never straddle two encoded-words.
    if (payload.length + q.length > room) {
      words.push(Q_PREFIX + payload + '?=')
      payload = ''
    }
    payload += q
  }
  if (payload !== '' || words.length === 0) words.push(Q_PREFIX + payload + '?=')
  return words
}

function bWords(chars: string[], first: number): string[] {
  const words: string[] = []
  let chunk = ''
  let octets = 0
  const firstOctets = Math.floor((first - B_PREFIX.length - 2) / 4) * 3
  for (const ch of chars) {
    const n = utf8Encode(ch).length
    if (octets + n > (words.length === 0 ? firstOctets : B_OCTETS)) {
      words.push(B_PREFIX + base64Encode(utf8Encode(chunk)) + '?=')
      chunk = ''
      octets = 0
    }
    chunk += ch
    octets += n
  }
  if (chunk !== '' || words.length === 0)
    words.push(B_PREFIX + base64Encode(utf8Encode(chunk)) + '?=')
  return words
}

/**
 * Encodes `text` as a run of RFC 2047 encoded-words (to be joined by single spaces, which
 * decoders drop between adjacent words). Q or B is chosen by which is shorter in total; each
 * word is at most 75 characters, the first at most `first` (see firstWordRoom), and never
 * splits a UTF-8 sequence.
 *
 * @example encodedWords('Grüße') // ['=?utf-8?Q?Gr=C3=BC=C3=9Fe?=']
 */
export function encodedWords(text: string, first = MAX_WORD): string[] {
  first = Math.max(MIN_WORD, Math.min(MAX_WORD, first))
  const chars = codePoints(text)
  let qLength = 0
  let octets = 0
  for (const ch of chars) {
    const q = qEncodeChar(ch)
    qLength += q.length
    octets += ch.length === 1 && ch.charCodeAt(0) < 0x80 ? 1 : q.length / 3
  }
  return qLength <= Math.ceil(octets / 3) * 4 ? qWords(chars, first) : bWords(chars, first)
}
