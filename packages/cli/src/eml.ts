import { getEnvelope } from '@mail/mime'
import type { AddressObject } from 'mailparser'
import { CliError } from './output.js'

/**
 * Where the header section of a raw message ends: the index of the empty line's first octet
 * after the last header line, or the whole length when there is no body (RFC 5322 section 2.1).
 */
function headerEnd(raw: Uint8Array): number {
  for (let i = 0; i < raw.length; i++) {
    if (raw[i] !== 0x0a) continue
    if (raw[i + 1] === 0x0a) return i + 1
    if (raw[i + 1] === 0x0d && raw[i + 2] === 0x0a) return i + 1
  }
  return raw.length
}

/**
 * Removes every Bcc field (with its folded continuation lines) from a ready message's header
 * section: blind copies go in the envelope only, never to the recipients (RFC 5322 3.6.3).
 * The body and every other byte stay untouched.
 *
 * @example
 * stripBcc(Buffer.from('To: a@x.test\r\nBcc: b@x.test\r\n\r\nHi')) // 'To: a@x.test\r\n\r\nHi'
 */
export function stripBcc(raw: Uint8Array): Uint8Array {
  const end = headerEnd(raw)
  const head = Buffer.from(raw.buffer, raw.byteOffset, end).toString('latin1')
  const lines = head.split(/(?<=\n)/)
  const kept: string[] = []
  let dropping = false
  for (const line of lines) {
    const continuation = line.startsWith(' ') || line.startsWith('\t')
    if (!continuation) dropping = /^bcc[ \t]*:/i.test(line)
    if (!dropping) kept.push(line)
  }
  const newHead = kept.join('')
  if (newHead.length === head.length) return raw
  return Buffer.concat([Buffer.from(newHead, 'latin1'), raw.subarray(end)])
}

function addresses(field: AddressObject | AddressObject[] | undefined): string[] {
  if (field === undefined) return []
  const out: string[] = []
  const walk = (list: { address?: string; group?: unknown[] }[]) => {
    for (const a of list) {
      if (a.address) out.push(a.address)
      if (Array.isArray(a.group)) walk(a.group as { address?: string }[])
    }
  }
  for (const obj of Array.isArray(field) ? field : [field]) walk(obj.value)
  return out
}

/** A ready-made message with the envelope it will be sent with. */
export interface ReadyMessage {
  raw: Uint8Array
  envelope: { from: string; to: string[] }
  /** Send with SMTPUTF8: asked for, or the header section holds raw UTF-8 (RFC 6532). */
  smtputf8: boolean
  messageId?: string
}

/**
 * Prepares a ready `.eml` for sending: the envelope comes from `--from`/`--to`/`--cc`/`--bcc`
 * when given, else from the message's own Sender/From and To/Cc/Bcc fields (parsed with
 * mailparser); Bcc fields are removed from what is sent.
 */
export async function readyMessage(
  raw: Uint8Array,
  override: { from?: string; to: string[]; cc: string[]; bcc: string[]; smtputf8?: boolean },
): Promise<ReadyMessage> {
  // Loaded on demand: only --eml needs a parser, and it is the slowest import of `send`.
  const { simpleParser } = await import('mailparser')
  const parsed = await simpleParser(Buffer.from(raw.buffer, raw.byteOffset, raw.length), {
    skipHtmlToText: true,
    skipTextToHtml: true,
    skipTextLinks: true,
  })
  const sender = parsed.headers.get('sender') as AddressObject | undefined
  const from = override.from ?? addresses(sender)[0] ?? addresses(parsed.from)[0]
  if (from === undefined) {
    throw new CliError('no sender: give --from or put a From field in the message')
  }
  const explicit = override.to.length + override.cc.length + override.bcc.length > 0
  const to = explicit
    ? [...override.to, ...override.cc, ...override.bcc]
    : [...addresses(parsed.to), ...addresses(parsed.cc), ...addresses(parsed.bcc)]
  if (to.length === 0) {
    throw new CliError('no recipients: give --to or put To, Cc or Bcc fields in the message')
  }
  const sent = stripBcc(raw)
  // RFC 6532: raw UTF-8 in the header section makes it an internationalized message.
  const smtputf8 =
    override.smtputf8 === true || sent.subarray(0, headerEnd(sent)).some((b) => b > 0x7f)
  // The builder's envelope rules (bare addresses, IDNA, de-duplication) apply here too, and a
  // bad address is reported as a MimeError naming the field.
  const envelope = getEnvelope({ from, to }, { smtputf8 })
  const result: ReadyMessage = { raw: sent, envelope, smtputf8 }
  if (parsed.messageId) result.messageId = parsed.messageId
  return result
}
