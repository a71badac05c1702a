// The few DER (ITU-T X.690) pieces needed to read a PKCS#8 header and wrap a PKCS#1 key.

/** One decoded TLV: its tag, and where its contents start and end in the input. */
export interface DerNode {
  tag: number
  start: number
  end: number
}

/** Reads the TLV at `offset`; undefined when the bytes are not well-formed DER. */
export function readDer(bytes: Uint8Array, offset: number): DerNode | undefined {
  const tag = bytes[offset]
  let lengthByte = bytes[offset + 1]
  if (tag === undefined || lengthByte === undefined) return undefined
  let start = offset + 2
  let length = lengthByte
  if (lengthByte & 0x80) {
    const count = lengthByte & 0x7f
    // X.690 8.1.3.5: indefinite lengths (count 0) are not DER; 4 bytes already mean 4 GiB keys.
    if (count === 0 || count > 4) return undefined
    length = 0
    for (let i = 0; i < count; i++) {
      lengthByte = bytes[start + i]
      if (lengthByte === undefined) return undefined
      length = length * 256 + lengthByte
    }
    start += count
  }
  const end = start + length
  if (end > bytes.length) return undefined
  return { tag, start, end }
}

function encodeLength(length: number): number[] {
  if (length < 0x80) return [length]
  const out: number[] = []
  for (let n = length; n > 0; n = Math.floor(n / 256)) out.unshift(n % 256)
  return [0x80 | out.length, ...out]
}

/** Encodes one TLV from a tag and already-encoded contents. */
export function writeDer(tag: number, ...contents: Uint8Array[]): Uint8Array<ArrayBuffer> {
  let length = 0
  for (const part of contents) length += part.length
  const head = [tag, ...encodeLength(length)]
  const out = new Uint8Array(head.length + length)
  out.set(head, 0)
  let at = head.length
  for (const part of contents) {
    out.set(part, at)
    at += part.length
  }
  return out
}

export const DER_INTEGER = 0x02
export const DER_OCTET_STRING = 0x04
export const DER_NULL = 0x05
export const DER_OID = 0x06
export const DER_SEQUENCE = 0x30
