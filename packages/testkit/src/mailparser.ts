import { type AddressObject, type EmailAddress, simpleParser } from 'mailparser'
import type { ParsedAddress, ParsedMessage } from './parse.js'

function flatten(list: EmailAddress[]): ParsedAddress[] {
  return list.flatMap((a) =>
    a.group ? flatten(a.group) : [{ name: a.name, address: a.address ?? '' }],
  )
}

function addresses(value: AddressObject | AddressObject[] | undefined): ParsedAddress[] {
  if (value === undefined) return []
  return (Array.isArray(value) ? value : [value]).flatMap((o) => flatten(o.value))
}

/**
 * Parses `raw` with npm mailparser's `simpleParser` (options `keepCidLinks`, `skipHtmlToText`,
 * `skipTextToHtml`: the HTML keeps its `cid:` links and no text is synthesised from HTML).
 *
 * Quirks (mailparser's own, not corrected here): `defects`/`headerDefects` are always [];
 * `headers` values are the raw unfolded text (encoded-words not decoded); `text`/`html` have LF
 * line endings (Python keeps CRLF); an HTML-only message gets `text: ''`; several inline
 * text/plain parts are concatenated into `text` (Python lists the extra ones as attachments);
 * addresses with a punycode domain come back with the domain decoded to Unicode; `disposition`
 * is absent for parts that declared none; `date` is `Date#toISOString()`, and an unparseable
 * Date header yields the time of parsing (mailparser's fallback).
 *
 * @example
 * const parsed = await parseWithMailparser(raw)
 * expect(parsed.attachments[0]?.content.toString()).toBe('hello')
 */
export async function parseWithMailparser(raw: string | Uint8Array): Promise<ParsedMessage> {
  const input = typeof raw === 'string' ? Buffer.from(raw, 'utf8') : Buffer.from(raw)
  const mail = await simpleParser(input, {
    keepCidLinks: true,
    skipHtmlToText: true,
    skipTextToHtml: true,
  })
  const out: ParsedMessage = {
    defects: [],
    headerDefects: [],
    headers: mail.headerLines.map(({ line }): [string, string] => {
      const colon = line.indexOf(':')
      const name = colon < 0 ? line : line.slice(0, colon)
      // RFC 5322 2.2.3: unfolding removes the CRLF before the folding whitespace.
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/\r?\n(?=[ \t])/g, '')
      return [name.trim(), value.replace(/^[ \t]+/, '')]
    }),
    from: addresses(mail.from),
    sender: addresses(mail.headers.get('sender') as AddressObject | undefined),
    to: addresses(mail.to),
    cc: addresses(mail.cc),
    replyTo: addresses(mail.replyTo),
    attachments: mail.attachments.map((a) => ({
      contentType: a.contentType,
      content: a.content,
      ...(a.filename != null && { filename: a.filename }),
      ...(a.contentDisposition != null && { disposition: a.contentDisposition }),
      ...(a.cid != null && { cid: a.cid }),
    })),
  }
  if (mail.subject != null) out.subject = mail.subject
  if (mail.messageId != null) out.messageId = mail.messageId
  if (mail.date != null && !Number.isNaN(mail.date.getTime())) {
    out.date = mail.date.toISOString()
  }
  if (mail.text != null) out.text = mail.text
  if (typeof mail.html === 'string') out.html = mail.html
  return out
}
