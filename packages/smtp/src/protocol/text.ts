// Which characters a value placed on a command line may carry. A command is one line of text
// (RFC 5321 4.1.1); none of the fields checked here (envelope addresses, the EHLO name, the DSN
// envid, SASL user names) admits HTAB, so every control is refused.

/**
 * What is wrong with the character at `i` of `value`, or undefined when it may appear in a
 * one-line protocol value: C0 controls and DEL, C1 controls (U+0080-U+009F), the line and
 * paragraph separators U+2028/U+2029, bidirectional embedding, override and isolate controls
 * (U+202A-U+202E, U+2066-U+2069: they make a value display as another) and lone surrogates
 * (UTF-8 cannot carry them: they would silently become U+FFFD, another value).
 *
 * @example
 * unsafeAt('a\u0085b', 1) // 'a C1 control character (U+0085)'
 * unsafeAt('ab', 1)       // undefined
 */
export function unsafeAt(value: string, i: number): string | undefined {
  const c = value.charCodeAt(i)
  if (c >= 0x20 && c < 0x7f) return undefined
  if (c < 0x20 || c === 0x7f) return `a control character (${codePoint(c)})`
  if (c <= 0x9f) return `a C1 control character (${codePoint(c)})`
  if (c === 0x2028 || c === 0x2029) return `a line or paragraph separator (${codePoint(c)})`
  if ((c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069)) {
    return `a bidirectional control (${codePoint(c)})`
  }
  if (c >= 0xd800 && c <= 0xdbff) {
    const next = value.charCodeAt(i + 1)
    if (next >= 0xdc00 && next <= 0xdfff) return undefined
    return `a lone surrogate (${codePoint(c)})`
  }
  if (c >= 0xdc00 && c <= 0xdfff) {
    const previous = value.charCodeAt(i - 1)
    if (i > 0 && previous >= 0xd800 && previous <= 0xdbff) return undefined
    return `a lone surrogate (${codePoint(c)})`
  }
  return undefined
}

/**
 * The first unsafe character of `value` (see {@link unsafeAt}) with its position, or undefined.
 *
 * @example firstUnsafe('x\u202ey') // { index: 1, what: 'a bidirectional control (U+202E)' }
 */
export function firstUnsafe(value: string): { index: number; what: string } | undefined {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i)
    if (c >= 0x20 && c < 0x7f) continue
    const what = unsafeAt(value, i)
    if (what !== undefined) return { index: i, what }
  }
  return undefined
}

// With the u flag a pair is one code point, so only a lone surrogate is in category Cs.
const LONE_SURROGATE = /\p{Cs}/u

/** Whether a lone surrogate is in `value` (a string UTF-8 cannot carry as it is). */
export function hasLoneSurrogate(value: string): boolean {
  return LONE_SURROGATE.test(value)
}

const SHOWN = 80
// Characters that would change how an error message displays, escaped like JSON's controls.
const INVISIBLE = /[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g

/**
 * A value quoted for an error message: JSON-escaped (controls and lone surrogates as \u
 * escapes), with bidi controls, C1 controls and separators escaped too, cut after 80 characters.
 *
 * @example shown('a\u202eb') // '"a\\u202eb"'
 */
export function shown(value: string): string {
  const cut = value.length > SHOWN ? `${value.slice(0, SHOWN)}...` : value
  return JSON.stringify(cut).replace(
    INVISIBLE,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  )
}

function codePoint(c: number): string {
  return `U+${c.toString(16).toUpperCase().padStart(4, '0')}`
}
