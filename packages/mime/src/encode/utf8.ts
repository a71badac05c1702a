const encoder = new TextEncoder()

/** UTF-8 bytes of a string (lone surrogates become U+FFFD, as with every TextEncoder). */
export function utf8Encode(text: string): Uint8Array {
  return encoder.encode(text)
}

const NON_ASCII = /[^\x00-\x7f]/

/** True when every character is 7-bit ASCII. */
export function isAscii(text: string): boolean {
  return !NON_ASCII.test(text)
}

/** Number of UTF-8 octets `text` encodes to, without encoding it. */
export function utf8Length(text: string): number {
  let n = 0
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c < 0x80) n += 1
    else if (c < 0x800) n += 2
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1)
      if (d >= 0xdc00 && d <= 0xdfff) {
        n += 4
        i++
      } else n += 3
    } else n += 3
  }
  return n
}
