// Splitting a raw message into header fields and body (RFC 5322 section 2.1 and 2.2).
import { dkimError } from './error.js'

/** One header field of the message as it stands, for signing. */
export interface HeaderField {
  /** The field name, lower-cased, without WSP before the colon. */
  name: string
  /** The whole field, folding included, without its final CRLF. */
  text: string
}

/** A message split at its first empty line. */
export interface SplitMessage {
  fields: HeaderField[]
  body: string
}

/**
 * Splits a CRLF message at its first empty line into header fields and body. A message with no
 * empty line is all header. Lines that are neither a field nor a continuation are an error: a
 * verifier would read them differently from us.
 */
export function splitMessage(message: string, field = 'raw'): SplitMessage {
  const blank = message.startsWith('\r\n') ? 0 : message.indexOf('\r\n\r\n')
  const headerEnd = blank === -1 ? message.length : blank === 0 ? 0 : blank + 2
  const body = blank === -1 ? '' : message.slice(blank === 0 ? 2 : blank + 4)
  const fields: HeaderField[] = []
  let start = 0
  let current: { name: string; start: number } | undefined
  while (start < headerEnd) {
    let end = message.indexOf('\r\n', start)
    if (end === -1 || end > headerEnd) end = headerEnd
    const first = message.charCodeAt(start)
    if (first === 32 || first === 9) {
      // RFC 5322 2.2.3: a line starting with WSP continues the field above it.
      if (!current) throw dkimError(field, 'the message starts with a folded continuation line')
    } else {
      if (current)
        fields.push({ name: current.name, text: message.slice(current.start, start - 2) })
      const colon = message.indexOf(':', start)
      if (colon === -1 || colon >= end) {
        const line = message.slice(start, Math.min(end, start + 40))
        throw dkimError(field, `the message header line "${line}" is not a header field`)
      }
      const name = message
        .slice(start, colon)
        .replace(/[ \t]+$/, '')
        .toLowerCase()
      current = { name, start }
    }
    start = end + 2
  }
  if (current) {
    const end = message.startsWith('\r\n', headerEnd - 2) ? headerEnd - 2 : headerEnd
    fields.push({ name: current.name, text: message.slice(current.start, end) })
  }
  return { fields, body }
}
