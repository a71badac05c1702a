/** IDNA for domains in headers and envelopes: Punycode (RFC 3492) with NFC + lowercase mapping. */
import { isAscii } from '../encode/utf8.js'

const BASE = 36
const T_MIN = 1
const T_MAX = 26
const SKEW = 38
const DAMP = 700
const INITIAL_BIAS = 72
const INITIAL_N = 128

/** RFC 3492 section 6.1: bias adaptation. */
function adapt(delta: number, points: number, first: boolean): number {
  let d = first ? Math.floor(delta / DAMP) : delta >> 1
  d += Math.floor(d / points)
  let k = 0
  while (d > ((BASE - T_MIN) * T_MAX) >> 1) {
    d = Math.floor(d / (BASE - T_MIN))
    k += BASE
  }
  return k + Math.floor(((BASE - T_MIN + 1) * d) / (d + SKEW))
}

/** RFC 3492 section 5: digit values 0-25 are a-z, 26-35 are 0-9. */
function digit(d: number): string {
  return String.fromCharCode(d < 26 ? 97 + d : 22 + d)
}

/**
 * Punycode-encodes one label (RFC 3492 section 6.3), without the `xn--` prefix.
 *
 * @example punycodeEncode('bücher') // 'bcher-kva'
 */
export function punycodeEncode(label: string): string {
  const points = Array.from(label, (ch) => ch.codePointAt(0)!)
  let output = ''
  for (const c of points) if (c < 0x80) output += String.fromCharCode(c)
  const basic = output.length
  let handled = basic
  if (basic > 0) output += '-'
  let n = INITIAL_N
  let delta = 0
  let bias = INITIAL_BIAS
  while (handled < points.length) {
    let m = Number.MAX_SAFE_INTEGER
    for (const c of points) if (c >= n && c < m) m = c
    delta += (m - n) * (handled + 1)
    n = m
    for (const c of points) {
      if (c < n) delta++
      if (c !== n) continue
      let q = delta
      for (let k = BASE; ; k += BASE) {
        const t = k <= bias ? T_MIN : k >= bias + T_MAX ? T_MAX : k - bias
        if (q < t) break
        output += digit(t + ((q - t) % (BASE - t)))
        q = Math.floor((q - t) / (BASE - t))
      }
      output += digit(q)
      bias = adapt(delta, handled + 1, handled === basic)
      delta = 0
      handled++
    }
    delta++
    n++
  }
  return output
}

/** UTS 46 maps these full stops to '.', so 'bücher。example' is two labels. */
const IDEOGRAPHIC_STOPS = /[\u3002\uff0e\uff61]/g

/**
 * A domain in its ASCII form: each non-ASCII label NFC-normalised, lowercased and written as
 * `xn--` + Punycode (RFC 5891 section 4.4); ASCII labels are kept as written. Throws a plain
 * Error for an impossible label (empty, or over 63 octets once encoded); callers name the field.
 *
 * @example domainToAscii('bücher.example') // 'xn--bcher-kva.example'
 */
export function domainToAscii(domain: string): string {
  if (isAscii(domain)) return domain
  const labels = domain.replace(IDEOGRAPHIC_STOPS, '.').split('.')
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i]!
    if (label === '') throw new Error('domain has an empty label')
    if (isAscii(label)) continue
    const encoded = 'xn--' + punycodeEncode(label.normalize('NFC').toLowerCase())
    // RFC 1035 section 2.3.4: a label is at most 63 octets.
    if (encoded.length > 63) throw new Error(`domain label "${label}" is too long once encoded`)
    labels[i] = encoded
  }
  return labels.join('.')
}
