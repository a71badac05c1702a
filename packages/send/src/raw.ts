// Reading a ready message only as far as its result needs: the Message-ID field of its header
// section (RFC 5322 3.6.4), for `sendRaw`'s result. Nothing else of it is parsed or changed.

const MESSAGE_ID = /^message-id[ \t]*:[ \t]*((?:[^\r\n]|\r?\n[ \t])*)/im

/**
 * The Message-ID of a ready message, unfolded and trimmed (e.g. `'<abc@example.com>'`), or
 * undefined when its header section has none.
 *
 * @example
 * messageIdOf('Message-ID: <a@b>\r\nSubject: x\r\n\r\nHi') // '<a@b>'
 */
export function messageIdOf(raw: string | Uint8Array): string | undefined {
  const text = typeof raw === 'string' ? raw : latin1(raw.subarray(0, headerEnd(raw)))
  const end = typeof raw === 'string' ? headerEndOfText(text) : text.length
  const match = MESSAGE_ID.exec(text.slice(0, end))
  const value = match?.[1]?.replace(/\r?\n[ \t]/g, ' ').trim()
  return value === undefined || value === '' ? undefined : value
}

/** RFC 5322 2.1: the header section ends at the first empty line. */
function headerEndOfText(text: string): number {
  const crlf = text.indexOf('\r\n\r\n')
  const lf = text.indexOf('\n\n')
  if (crlf === -1) return lf === -1 ? text.length : lf
  return lf === -1 ? crlf : Math.min(crlf, lf)
}

function headerEnd(raw: Uint8Array): number {
  for (let i = 0; i + 1 < raw.length; i++) {
    if (raw[i] !== 0x0a) continue
    if (raw[i + 1] === 0x0a || (raw[i + 1] === 0x0d && raw[i + 2] === 0x0a)) return i
  }
  return raw.length
}

/** Octets as the characters of the same codes (every runtime's TextDecoder cannot do latin1). */
function latin1(bytes: Uint8Array): string {
  let text = ''
  for (let i = 0; i < bytes.length; i += 8192) {
    text += String.fromCharCode(...bytes.subarray(i, i + 8192))
  }
  return text
}
