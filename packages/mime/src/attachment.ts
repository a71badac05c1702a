/** Validates attachments and fills in their defaults. */
import mimeTypes from 'mime-types'
import { contentOf, describeSource, type LazySource } from './content.js'
import { toCrlf } from './encode/line-endings.js'
import { isAscii, utf8Length } from './encode/utf8.js'
import { assertSingleLine, assertString, MimeError } from './errors.js'
import { ATTACHMENT_KEYS, assertKnownKeys } from './keys.js'
import { CRLF, MAX_LINE } from './policy.js'

/**
 * An attachment after validation: its octets (in memory, or a lazy source), a full content type
 * and an explicit disposition. Every field is present, undefined when not given: one object
 * shape (see NormalizedMessage).
 */
export interface NormalizedAttachment {
  filename: string | undefined
  /** The octets, for string and byte content; undefined for a lazy source. */
  bytes: Uint8Array | undefined
  /** A Blob, a stream or an async iterable, read when the message is streamed. */
  source: LazySource | undefined
  /** Octets, when known before reading (everything but streams and iterables). */
  size: number | undefined
  /** `type/subtype` followed by any parameters the caller gave. */
  contentType: string
  /** Content-ID without angle brackets. */
  cid: string | undefined
  disposition: 'attachment' | 'inline'
  field: string
  /**
   * An attached message (message/*) travels as text: RFC 2046 section 5.2.1 forbids base64 for
   * it. Its CRLF text and 7bit or 8bit encoding; undefined for every other (base64) attachment.
   */
  message: { text: string; encoding: '7bit' | '8bit' } | undefined
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true })

/**
 * An attached message as text in canonical form (CRLF lines, RFC 2046 section 5.2.1): 7bit when
 * ASCII, else 8bit UTF-8 (RFC 6532 message/global style); or, as a string, why the bytes cannot
 * travel as a message (RFC 2046 allows it no base64).
 */
function attachedMessage(bytes: Uint8Array): NonNullable<NormalizedAttachment['message']> | string {
  let text: string
  try {
    text = toCrlf(strictUtf8.decode(bytes))
  } catch {
    return 'must be UTF-8 text (use application/octet-stream for other bytes)'
  }
  for (const line of text.split(CRLF)) {
    // RFC 5322 section 2.1.1: no line over 998 octets, and a message part cannot be re-wrapped.
    if (line.length > MAX_LINE / 3 && utf8Length(line) > MAX_LINE) {
      return `has a line over ${MAX_LINE} octets`
    }
  }
  if (text.includes('\0')) return 'contains NUL'
  return { text, encoding: isAscii(text) ? '7bit' : '8bit' }
}

/** RFC 2045 section 5.1: type "/" subtype, both tokens. */
const MEDIA_TYPE = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+\/[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/
/**
 * One parameter after the media type (RFC 2045 section 5.1): "; attribute=value", the value a
 * token or a quoted-string, spaces or tabs around each part; read with lastIndex, one at a time.
 */
const PARAM =
  /[ \t]*;[ \t]*([!#$%&'*+\-.^_`{|}~0-9A-Za-z]+)[ \t]*=[ \t]*(?:[!#$%&'*+\-.^_`{|}~0-9A-Za-z]+|"(?:[\x20\x21\x23-\x5b\x5d-\x7e\t]|\\[\x20-\x7e\t])*")[ \t]*/y
/** What may follow the last parameter: nothing, or one ";". */
const PARAMS_END = /^[ \t]*;?[ \t]*$/

/**
 * The parameters' names in lowercase, without the RFC 2231 extended-value marker ("name*" is
 * "name", "name*1*" is "name*1"), or undefined when `params` is not a well-formed list of them.
 */
function paramNames(params: string): string[] | undefined {
  const names: string[] = []
  PARAM.lastIndex = 0
  let end = 0
  for (let m = PARAM.exec(params); m !== null; m = PARAM.exec(params)) {
    names.push(m[1]!.toLowerCase().replace(/\*$/, ''))
    end = PARAM.lastIndex
  }
  return PARAMS_END.test(params.slice(end)) ? names : undefined
}

/** msg-id content for Content-ID (RFC 2045 section 7): printable ASCII without '<', '>'. */
const CID = /^[\x21-\x3b\x3d\x3f-\x7e]+$/

/** A content type checked, and the names of its parameters (see paramNames). */
function contentTypeOf(value: unknown, field: string): { type: string; names: string[] } {
  assertString(value, field)
  assertSingleLine(value, field)
  const semi = value.indexOf(';')
  const type = (semi === -1 ? value : value.slice(0, semi)).trim()
  const params = semi === -1 ? '' : value.slice(semi)
  const names = paramNames(params)
  if (!MEDIA_TYPE.test(type) || names === undefined) {
    throw new MimeError(
      field,
      `"${value.slice(0, 60)}" is not a content type like type/subtype; name=value`,
    )
  }
  for (let i = 0; i < names.length; i++) {
    if (names.indexOf(names[i]!) !== i) {
      throw new MimeError(field, `has the parameter "${names[i]}" twice`)
    }
  }
  if (/^multipart\//i.test(type)) throw new MimeError(field, 'an attachment cannot be multipart')
  // A parameter must fit on one folded header line (RFC 2231 continuations are for filenames).
  if (params.length > 900 && /[^ \t;]{900}/.test(params)) {
    throw new MimeError(field, 'has a parameter too long for a header line')
  }
  // A last ';' with nothing after it is dropped: a name parameter may follow it.
  return { type: type + params.replace(/[ \t]*;?[ \t]*$/, ''), names }
}

function cidOf(value: unknown, field: string): string {
  assertString(value, field)
  assertSingleLine(value, field)
  const bare = value.startsWith('<') && value.endsWith('>') ? value.slice(1, -1) : value
  if (!CID.test(bare)) {
    throw new MimeError(field, `"${value.slice(0, 60)}" is not a content ID (printable ASCII)`)
  }
  return bare
}

/** Checks one attachment; errors name `attachments[i]` and the property at fault. */
export function normalizeAttachment(input: unknown, index: number): NormalizedAttachment {
  const field = `attachments[${index}]`
  if (typeof input !== 'object' || input === null) throw new MimeError(field, 'must be an object')
  assertKnownKeys(input, ATTACHMENT_KEYS, `${field}.`)
  const a = input as Record<string, unknown>
  const out: NormalizedAttachment = {
    filename: undefined,
    bytes: undefined,
    source: undefined,
    size: undefined,
    contentType: '',
    cid: undefined,
    disposition: 'attachment',
    field,
    message: undefined,
  }
  if (a.filename !== undefined) {
    assertString(a.filename, `${field}.filename`)
    assertSingleLine(a.filename, `${field}.filename`)
    out.filename = a.filename
  }
  const content = contentOf(a.content, a.encoding, field)
  out.bytes = content.bytes
  out.source = content.source
  out.size = content.size
  if (a.contentType !== undefined) {
    const { type, names } = contentTypeOf(a.contentType, `${field}.contentType`)
    // The builder writes the name parameter from the filename; a second one would disagree.
    if (out.filename !== undefined && names.some((n) => n === 'name' || n.startsWith('name*'))) {
      throw new MimeError(
        `${field}.contentType`,
        'has a name parameter next to filename; give the name as filename only',
      )
    }
    out.contentType = type
  } else {
    // mime-types reads a bare word as an extension ("pdf" is application/pdf): a filename is
    // looked up only when it has one.
    const found = out.filename?.includes('.') ? mimeTypes.lookup(out.filename) : false
    out.contentType = found === false ? 'application/octet-stream' : found
    // A string is UTF-8 text by definition, so say so where a charset applies.
    if (
      typeof a.content === 'string' &&
      a.encoding === undefined &&
      out.contentType.startsWith('text/')
    ) {
      out.contentType += '; charset=utf-8'
    }
  }
  if (/^message\//i.test(out.contentType)) {
    const message =
      out.bytes === undefined
        ? `cannot be ${describeSource(out.source!)}: its text must be checked before the message is built; give a string or a Uint8Array`
        : attachedMessage(out.bytes)
    if (typeof message !== 'string') out.message = message
    else if (a.contentType !== undefined) {
      throw new MimeError(`${field}.content`, `a message/* attachment ${message}`)
    }
    // A type guessed from the filename (a binary file named .eml, or a lazy source, whose text
    // cannot be checked before it is read): the exact octets, as a file.
    else out.contentType = 'application/octet-stream'
  }
  if (a.cid !== undefined) out.cid = cidOf(a.cid, `${field}.cid`)
  if (a.disposition !== undefined) {
    if (a.disposition !== 'attachment' && a.disposition !== 'inline') {
      throw new MimeError(`${field}.disposition`, "must be 'attachment' or 'inline'")
    }
    out.disposition = a.disposition
  } else if (out.cid !== undefined) out.disposition = 'inline'
  return out
}
