import PostalMime, { type Address, type Attachment, decodeWords, type Email } from 'postal-mime'
import type { StoredMeta } from './store/types.js'
import type { InboxAddress, InboxAttachment, InboxMessage } from './types.js'

/** A parsed message and the decoded bytes of each of its attachments, in the same order. */
export interface ParsedMessage {
  message: InboxMessage
  contents: Uint8Array[]
}

// postal-mime gives an ISO string when it could read the Date field, else the field as written.
const ISO_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{3})?Z$/

/** Mailboxes of an address list, group members in place of their group (RFC 5322 3.4). */
function mailboxes(list: Address[] | undefined): InboxAddress[] {
  return (list ?? []).flatMap((a) => ('group' in a && a.group ? a.group : [a])).map(mailbox)
}

function mailbox(a: { name?: string; address?: string }): InboxAddress {
  return a.name ? { name: a.name, address: a.address ?? '' } : { address: a.address ?? '' }
}

function bytesOf(content: Attachment['content']): Uint8Array {
  if (typeof content === 'string') return new TextEncoder().encode(content)
  return content instanceof Uint8Array ? content : new Uint8Array(content)
}

function attachmentOf(a: Attachment, content: Uint8Array): InboxAttachment {
  const out: InboxAttachment = { contentType: a.mimeType.toLowerCase(), size: content.length }
  if (a.filename) out.filename = a.filename
  // RFC 2392: the cid: URL names the Content-ID without its angle brackets.
  const cid = a.contentId?.replace(/^<(.*)>$/, '$1')
  if (cid) out.cid = cid
  if (a.disposition) out.disposition = a.disposition
  return out
}

/**
 * Parses a stored message with postal-mime. A message the parser refuses (nesting or header
 * limits) is still listed, with its envelope and size and an empty body.
 */
export async function parseMessage(raw: Uint8Array, meta: StoredMeta): Promise<ParsedMessage> {
  const arrival = {
    id: meta.id,
    receivedAt: meta.receivedAt.toISOString(),
    envelope: meta.envelope,
  }
  let email: Email
  try {
    email = await PostalMime.parse(raw)
  } catch {
    const message: InboxMessage = {
      ...arrival,
      from: { address: '' },
      to: [],
      cc: [],
      subject: '',
      date: null,
      messageId: null,
      attachments: [],
      size: meta.size,
      headers: [],
    }
    return { message, contents: [] }
  }
  const contents = email.attachments.map((a) => bytesOf(a.content))
  const message: InboxMessage = {
    ...arrival,
    from: mailboxes(email.from ? [email.from] : [])[0] ?? { address: '' },
    to: mailboxes(email.to),
    cc: mailboxes(email.cc),
    subject: email.subject ?? '',
    date: email.date && ISO_DATE.test(email.date) ? new Date(email.date).toISOString() : null,
    messageId: email.messageId ?? null,
    ...(email.text === undefined ? {} : { text: email.text }),
    ...(email.html === undefined ? {} : { html: email.html }),
    attachments: email.attachments.map((a, i) => attachmentOf(a, contents[i]!)),
    size: meta.size,
    headers: email.headers.map((h) => ({ name: h.originalKey, value: decodeWords(h.value) })),
  }
  return { message, contents }
}
