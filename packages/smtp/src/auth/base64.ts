const encoder = new TextEncoder()

/** Base64 of the UTF-8 bytes of a string (RFC 4648 4), with Web APIs only. */
export function base64(value: string | Uint8Array): string {
  const bytes = typeof value === 'string' ? encoder.encode(value) : value
  let binary = ''
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000))
  }
  return btoa(binary)
}

/** Decodes base64 to a binary string (one char per octet); '' for invalid input. */
export function unbase64(value: string): string {
  try {
    return atob(value.trim())
  } catch {
    return ''
  }
}
