import { CR, DOT, LF } from './wire.js'

// Each byte of a 32-bit word whose value is `byte`, marked by its high bit (0x80). Exact: the
// low seven bits are added apart, so no carry crosses into the next byte.
const ones = (byte: number) => byte * 0x01010101
const LF4 = ones(LF)
const CR4 = ones(CR)
const DOT4 = ones(DOT)
const zeros = (x: number) => ~(((x & 0x7f7f7f7f) + 0x7f7f7f7f) | x) & 0x80808080
// Nonzero when some byte of the word is below CR + 1 (so perhaps a CR or an LF); zero, exactly,
// when none is: the cheap test that lets most words of a text or base64 body pass at once.
const BELOW = ones(CR + 1)

/**
 * Whether `input` is already what the SMTP data encoder would make of it: every CR followed by
 * LF and every LF preceded by CR (RFC 5321 2.3.8), the last octet not a CR, and for DATA no line
 * starting with '.' (RFC 5321 4.5.2). `atLineStart`: the octet before `input` ended a line.
 * Four octets at a time, so that a message built with CRLF line ends (the usual case, and all
 * of a base64 body) costs a fraction of the line-by-line encoder. False for anything it cannot
 * tell quickly (then the encoder does the work).
 *
 * @example
 * isClean(bytes('abc\r\ndef\r\n'), true, true) // true
 * isClean(bytes('abc\r\n.def'), true, true)    // false: a leading dot
 */
export function isClean(input: Uint8Array, atLineStart: boolean, dotStuff: boolean): boolean {
  const n = input.length
  const offset = input.byteOffset
  if (n < 8 || offset % 4 !== 0 || input[n - 1] === CR) return false
  if (dotStuff && atLineStart && input[0] === DOT) return false
  const words = new Uint32Array(input.buffer, offset, n >>> 2)
  // Marks carried from the top byte of the previous word into the bottom byte of this one.
  let crBefore = 0
  let lfBefore = 0
  for (let i = 0; i < words.length; i++) {
    const v = words[i]!
    if ((((v - BELOW) & ~v & 0x80808080) | lfBefore | crBefore) === 0) continue
    const lf = zeros(v ^ LF4)
    const cr = zeros(v ^ CR4)
    if ((lf | cr | lfBefore | crBefore) === 0) continue
    // Little-endian: the octet after byte j is byte j + 1, eight bits up.
    if (lf !== (((cr << 8) | crBefore) & 0x80808080)) return false
    if (dotStuff && (zeros(v ^ DOT4) & (((lf << 8) | lfBefore) & 0x80808080)) !== 0) return false
    crBefore = (cr >>> 24) & 0x80
    lfBefore = (lf >>> 24) & 0x80
  }
  // The last few octets, one by one.
  let prev = input[(words.length << 2) - 1]!
  for (let i = words.length << 2; i < n; i++) {
    const b = input[i]!
    if ((b === LF) !== (prev === CR)) return false
    if (dotStuff && b === DOT && prev === LF) return false
    prev = b
  }
  return true
}
