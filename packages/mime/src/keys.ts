/**
 * Unknown keys: a key this package does not read would be silently dropped, so it is refused,
 * with what to write instead where the key is a habit from elsewhere (Nodemailer's options).
 */
import { MimeError } from './errors.js'

/** The keys of one kind of input object, and advice for keys people bring from elsewhere. */
export interface KeySchema {
  readonly known: ReadonlySet<string>
  readonly advice: Readonly<Record<string, string>>
}

const PATH_ADVICE =
  'files are never opened for you: give content: await fs.openAsBlob(path) (Node and Deno), Bun.file(path) (Bun), or the bytes'

export const MESSAGE_KEYS: KeySchema = {
  known: new Set([
    'from',
    'sender',
    'to',
    'cc',
    'bcc',
    'replyTo',
    'subject',
    'text',
    'html',
    'attachments',
    'headers',
    'date',
    'messageId',
    'inReplyTo',
    'references',
    'listUnsubscribe',
  ]),
  advice: {
    icalEvent:
      "is not supported: attach the calendar file, e.g. { filename: 'invite.ics', content: ics, contentType: 'text/calendar; method=REQUEST' }",
    alternatives: 'is not supported: the alternatives written are text and html',
    list: "is not supported: give listUnsubscribe for List-Unsubscribe, and headers for other List-* fields, e.g. headers: { 'List-Id': '<news.example.com>' }",
    priority:
      "is not supported: write the fields, e.g. headers: { 'X-Priority': '1', Importance: 'high' }",
    textEncoding:
      'is not supported: each text part gets 7bit, quoted-printable or base64, whichever suits it',
    encoding:
      'is not supported: text and html are strings; each gets the transfer encoding that suits it',
    raw: "is not supported: a ready-made message is not built; send it as it is (e.g. @mail/send's sendRaw)",
    amp: 'is not supported: AMP for Email parts are not written; give text and html',
    watchHtml: 'is not supported: Apple Watch parts are not written; give text and html',
    attachDataUrls:
      'is not supported: data: URLs in html are not converted; attach the image with a cid and refer to it as cid:...',
    envelope:
      'is an option of @mail/send (sendmail, transport.send); here the envelope is derived (getEnvelope)',
    dkim: "is not a message field: sign with signDkim from '@mail/mime/dkim', or the dkim option of @mail/send's transport",
    xMailer: "is not supported: write headers: { 'X-Mailer': '...' }",
    disableFileAccess: 'is not needed: files and URLs are never read here',
    disableUrlAccess: 'is not needed: files and URLs are never read here',
    normalizeHeaderKey: 'is not supported: custom header names are written as given',
  },
}

export const ATTACHMENT_KEYS: KeySchema = {
  known: new Set(['filename', 'content', 'contentType', 'cid', 'disposition', 'encoding']),
  advice: {
    path: PATH_ADVICE,
    href: 'URLs are never fetched for you: give content: (await fetch(url)).body, or the bytes',
    contentDisposition: "is spelled disposition here: 'attachment' or 'inline'",
    contentTransferEncoding:
      'is not supported: attachments are written in base64 (an attached message/* in 7bit or 8bit)',
    headers:
      'is not supported on attachments: contentType, filename, cid and disposition write the Content-* fields',
    raw: 'is not supported: give content with filename, contentType, cid or disposition',
    contentId: 'is spelled cid here',
    type: 'is spelled contentType here',
    mimeType: 'is spelled contentType here',
    name: 'is spelled filename here',
  },
}

export const ADDRESS_KEYS: KeySchema = { known: new Set(['name', 'address']), advice: {} }

export const LIST_UNSUBSCRIBE_KEYS: KeySchema = {
  known: new Set(['url', 'mailto', 'oneClick']),
  advice: {},
}

/** Levenshtein distance, stopping early: only "at most 2" matters. */
function closeTo(a: string, b: string): boolean {
  if (Math.abs(a.length - b.length) > 2) return false
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const row = [i]
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      row.push(Math.min(previous[j]! + 1, row[j - 1]! + 1, previous[j - 1]! + cost))
    }
    previous = row
  }
  return previous[b.length]! <= 2
}

/** A known key the unknown one was probably meant to be: same letters in another case, or close. */
function suggestion(key: string, known: ReadonlySet<string>): string | undefined {
  const lower = key.toLowerCase()
  for (const k of known) if (k.toLowerCase() === lower) return k
  if (key.length < 4) return undefined
  for (const k of known) if (closeTo(lower, k.toLowerCase())) return k
  return undefined
}

/**
 * Throws a MimeError naming the first own key of `value` that `schema` does not know (and that
 * `extra` does not list); a key whose value is undefined is the same as an absent one.
 * `prefix` makes the field: '' for the message, 'attachments[0].' for an attachment.
 */
export function assertKnownKeys(
  value: object,
  schema: KeySchema,
  prefix: string,
  extra?: readonly string[],
): void {
  for (const key of Object.keys(value)) {
    if (schema.known.has(key) || (value as Record<string, unknown>)[key] === undefined) continue
    if (extra?.includes(key)) continue
    const advice = Object.hasOwn(schema.advice, key) ? schema.advice[key] : undefined
    const guess = advice === undefined ? suggestion(key, schema.known) : undefined
    const known = [...schema.known].join(', ')
    throw new MimeError(
      prefix + key,
      advice ??
        (guess !== undefined
          ? `is not a known field: did you mean ${guess}?`
          : `is not a known field (known: ${known})`),
    )
  }
}
