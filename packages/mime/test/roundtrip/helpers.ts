import type { ParsedAddress, ParsedMessage } from '@mail/testkit'
import { expect } from 'vitest'

/** What an independent parser must report for a message. */
export interface Expected {
  subject?: string
  from: ParsedAddress[]
  to?: ParsedAddress[]
  cc?: ParsedAddress[]
  replyTo?: ParsedAddress[]
  text?: string
  html?: string
  attachments?: { filename?: string; contentType: string; content: Uint8Array; cid?: string }[]
}

/** Line endings become CRLF on the wire, so bodies are compared with LF everywhere. */
export const lf = (s: string) => s.replace(/\r\n|\r/g, '\n')

/**
 * Checks a parser's view of a message against the input. `python` also demands no defects.
 * `loosePythonNames` compares display names from Python without whitespace: Python's email
 * puts a space between adjacent encoded-words in a display name (RFC 2047 section 6.2 says to
 * drop it, as mailparser and mail clients do), which long non-ASCII names need.
 */
export function expectParsed(
  parsed: ParsedMessage,
  expected: Expected,
  parser: string,
  options: { loosePythonNames?: boolean } = {},
): void {
  const where = `(${parser})`
  if (parser === 'python') {
    expect(parsed.defects, `defects ${where}`).toEqual([])
    expect(parsed.headerDefects, `header defects ${where}`).toEqual([])
  }
  // mailparser reports an empty subject, text or html as absent and vice versa.
  const blank = parser === 'mailparser' ? '' : undefined
  // It also reads an empty text part inside a multipart as '\n'.
  const orBlank = (v: string | undefined) =>
    v === '' || v === undefined || (parser === 'mailparser' && v === '\n') ? blank : v
  expect(
    parser === 'mailparser' ? orBlank(parsed.subject) : parsed.subject,
    `subject ${where}`,
  ).toBe(parser === 'mailparser' ? orBlank(expected.subject) : expected.subject)
  const names = (list: ParsedAddress[]) =>
    parser === 'python' && options.loosePythonNames
      ? list.map((a) => ({ ...a, name: a.name.replace(/\s+/g, '') }))
      : list
  expect(names(parsed.from), `from ${where}`).toEqual(names(expected.from))
  expect(names(parsed.to), `to ${where}`).toEqual(names(expected.to ?? []))
  expect(names(parsed.cc), `cc ${where}`).toEqual(names(expected.cc ?? []))
  expect(names(parsed.replyTo), `replyTo ${where}`).toEqual(names(expected.replyTo ?? []))
  expect(orBlank(lf(parsed.text ?? '')), `text ${where}`).toBe(orBlank(lf(expected.text ?? '')))
  if (parser === 'python') expect(parsed.text === undefined).toBe(expected.text === undefined)
  expect(orBlank(lf(parsed.html ?? '')), `html ${where}`).toBe(orBlank(lf(expected.html ?? '')))
  if (parser === 'python') expect(parsed.html === undefined).toBe(expected.html === undefined)
  const attachments = expected.attachments ?? []
  expect(parsed.attachments.length, `attachment count ${where}`).toBe(attachments.length)
  attachments.forEach((a, i) => {
    const got = parsed.attachments[i]!
    expect(got.filename, `attachments[${i}].filename ${where}`).toBe(a.filename)
    expect(got.contentType, `attachments[${i}].contentType ${where}`).toBe(a.contentType)
    expect(Buffer.from(a.content).equals(got.content), `attachments[${i}] bytes ${where}`).toBe(
      true,
    )
    if (a.cid !== undefined) expect(got.cid, `attachments[${i}].cid ${where}`).toBe(a.cid)
  })
}

/** The Content-Type media types in output order: the shape of the part tree. */
export function structure(raw: string): string[] {
  return [...raw.matchAll(/^Content-Type: ([^;\r\n]+)/gim)].map((m) => m[1]!.toLowerCase())
}

/** Every line ends in CRLF, there is no bare CR or LF, and no line exceeds 998 octets. */
export function expectWellFormed(raw: string): void {
  expect(raw).not.toMatch(/\r(?!\n)|(?<!\r)\n/)
  for (const line of raw.split('\r\n')) {
    expect(new TextEncoder().encode(line).length).toBeLessThanOrEqual(998)
  }
}
