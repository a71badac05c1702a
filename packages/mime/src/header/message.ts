/** The message header fields (RFC 5322 section 3.6), each folded, in a fixed order. */
import { formatMailbox, formatPhrase } from '../address/format.js'
import { type AddressEntry, isGroup } from '../address/types.js'
import type { NormalizedMessage } from '../validate.js'
import { formatDate } from './date.js'
import { encodedWords, firstWordRoom } from './encoded-word.js'
import { foldHeader } from './fold.js'
import { formatCustomValue, formatText } from './unstructured.js'

/** An address field's value; the first display name's leading encoded-word fits after `name`. */
function addressList(name: string, entries: AddressEntry[]): string {
  const parts: string[] = []
  for (const e of entries) {
    const first = parts.length === 0 ? firstWordRoom(name) : undefined
    if (!isGroup(e)) parts.push(formatMailbox(e, e.domain, first))
    else {
      // RFC 5322 3.4: group = display-name ":" [group-list] ";"
      const members = e.members.map((m) => formatMailbox(m, m.domain)).join(', ')
      // An encoded-word must be followed by whitespace (RFC 2047 section 5(1)), even before ':'.
      const phrase = formatPhrase(e.group, first)
      const colon = phrase.endsWith('?=') ? ' :' : ':'
      parts.push(`${phrase}${colon}${members === '' ? '' : ' ' + members};`)
    }
  }
  return parts.join(', ')
}

/**
 * A custom field: its value as given where it can be folded into lines, else (a run of
 * characters or of spaces too long for one line next to the field name) as encoded-words,
 * which split anywhere.
 */
function customField(name: string, value: string): string {
  const field = `headers.${name}`
  const room = firstWordRoom(name)
  const formatted = formatCustomValue(value, room)
  try {
    return foldHeader(name, formatted, field)
  } catch (error) {
    if (formatted !== value) throw error
    return foldHeader(name, encodedWords(value, room).join(' '), field)
  }
}

/** Header fields of the message itself; Bcc is never among them. */
export function messageHeaders(message: NormalizedMessage, messageId: string): string[] {
  const h: string[] = [foldHeader('Date', formatDate(message.date), 'date')]
  h.push(foldHeader('From', addressList('From', message.from), 'from'))
  if (message.sender !== undefined) {
    h.push(foldHeader('Sender', addressList('Sender', [message.sender]), 'sender'))
  }
  if (message.to.length > 0) h.push(foldHeader('To', addressList('To', message.to), 'to'))
  if (message.cc.length > 0) h.push(foldHeader('Cc', addressList('Cc', message.cc), 'cc'))
  if (message.replyTo.length > 0) {
    h.push(foldHeader('Reply-To', addressList('Reply-To', message.replyTo), 'replyTo'))
  }
  if (message.subject !== undefined) {
    h.push(foldHeader('Subject', formatText(message.subject, firstWordRoom('Subject')), 'subject'))
  }
  h.push(foldHeader('Message-ID', messageId, 'messageId'))
  if (message.inReplyTo !== undefined) {
    h.push(foldHeader('In-Reply-To', message.inReplyTo.join(' '), 'inReplyTo'))
  }
  if (message.references !== undefined && message.references.length > 0) {
    h.push(foldHeader('References', message.references.join(' '), 'references'))
  }
  const unsubscribe = message.listUnsubscribe
  if (unsubscribe !== undefined) {
    // RFC 2369 section 3.2: each URI in angle brackets, comma-separated.
    const uris = unsubscribe.uris.map((u) => `<${u}>`).join(', ')
    h.push(foldHeader('List-Unsubscribe', uris, 'listUnsubscribe'))
    if (unsubscribe.oneClick) h.push('List-Unsubscribe-Post: List-Unsubscribe=One-Click')
  }
  for (const [name, value] of message.headers) h.push(customField(name, value))
  h.push('MIME-Version: 1.0')
  return h
}
