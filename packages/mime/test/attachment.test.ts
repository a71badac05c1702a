import { parseWithMailparser, parseWithPython } from '@mail/testkit'
import { describe, expect, test } from 'vitest'
import { normalizeAttachment } from '../src/attachment.js'
import { composeMessage, MimeError } from '../src/index.js'

describe('normalizeAttachment', () => {
  test('keeps bytes exactly and encodes strings as UTF-8', () => {
    const bytes = Uint8Array.of(0, 255, 13, 10, 13)
    expect(normalizeAttachment({ content: bytes }, 0).bytes).toBe(bytes)
    expect([...normalizeAttachment({ content: 'ü\n' }, 0).bytes!]).toEqual([0xc3, 0xbc, 10])
  })

  test('keeps a given content type with its parameters', () => {
    for (const type of [
      'text/csv; header=present',
      'text/plain; charset="utf-8"; format=flowed',
      'text/plain;  charset = utf-8',
      'application/x-thing; a={b}; q="say \\"hi\\""',
      "application/x-thing; title*0*=utf-8''%C3%A9t%C3%A9; title*1=2026",
    ]) {
      expect(normalizeAttachment({ content: 'x', contentType: type }, 0).contentType).toBe(type)
    }
  })

  test('drops a last ";" with nothing after it, so a name parameter can follow', () => {
    const input = { filename: 'a.txt', content: 'hi', contentType: 'text/plain;' }
    expect(normalizeAttachment(input, 0).contentType).toBe('text/plain')
    const { raw } = composeMessage({ from: 'a@example.com', attachments: [input] })
    expect(raw).toContain('Content-Type: text/plain; name="a.txt"\r\n')
  })

  test('rejects a parameter too long for a header line, naming the content type', () => {
    const contentType = `application/x; a=${'b'.repeat(1100)}`
    expect(() => normalizeAttachment({ content: 'x', contentType }, 0)).toThrow(
      expect.objectContaining({ field: 'attachments[0].contentType' }),
    )
  })

  test.each([
    ['a parameter without a value', 'text/plain; foo'],
    ['text after a value', 'text/plain; a=b c'],
    ['empty parameters', 'text/plain; ;;; ='],
    ['an unterminated quoted value', 'text/plain; a="b'],
    ['a parameter given twice', 'text/plain; charset=utf-8; Charset=us-ascii'],
    ['an extended parameter next to its plain form', "text/plain; title=a; title*=utf-8''b"],
    ['a space in a name', 'text/plain; a b=c'],
  ])('rejects a content type with %s', (_, contentType) => {
    let error: unknown
    try {
      normalizeAttachment({ content: 'x', contentType }, 3)
    } catch (err) {
      error = err
    }
    expect(error).toBeInstanceOf(MimeError)
    expect((error as MimeError).field).toBe('attachments[3].contentType')
  })

  test('rejects a name parameter in the content type next to a filename', () => {
    const input = { filename: 'y.pdf', content: 'x', contentType: 'application/pdf; name="x.pdf"' }
    expect(() => normalizeAttachment(input, 0)).toThrow(/name parameter next to filename/)
    // Without a filename, the caller's name parameter is the only one, and is kept.
    const alone = { content: 'x', contentType: 'application/pdf; name="x.pdf"' }
    expect(normalizeAttachment(alone, 0).contentType).toBe('application/pdf; name="x.pdf"')
  })

  test('rejects bytes that cannot travel as the message/* attachment the caller asked for', () => {
    for (const content of [Uint8Array.of(0xff, 0xfe), 'a\0b', `${'x'.repeat(999)}\n`]) {
      const input = { filename: 'a.eml', content, contentType: 'message/rfc822' }
      expect(() => normalizeAttachment(input, 2)).toThrow(MimeError)
    }
  })

  test('sends such bytes as a file when only the filename said message/*', () => {
    const bytes = Uint8Array.of(0xff, 0xfe, 0, 1, 2)
    const a = normalizeAttachment({ filename: 'a.eml', content: bytes }, 2)
    expect(a.contentType).toBe('application/octet-stream')
    expect(a.message).toBeUndefined()
    expect(a.bytes).toBe(bytes)
  })

  test('looks up only filenames with an extension', () => {
    expect(normalizeAttachment({ filename: 'pdf', content: 'x' }, 0).contentType).toBe(
      'application/octet-stream',
    )
    expect(normalizeAttachment({ filename: 'report.PDF', content: 'x' }, 0).contentType).toBe(
      'application/pdf',
    )
  })
})

describe('attached messages (message/rfc822)', () => {
  test('a binary file named .eml keeps its exact bytes, as application/octet-stream', async () => {
    const bytes = Uint8Array.from({ length: 300 }, (_, i) => (i * 97 + 3) & 255)
    const { raw } = composeMessage({
      from: 'a@example.com',
      text: 'scan attached',
      attachments: [{ filename: 'scan.eml', content: bytes }],
    })
    expect(raw).toContain('Content-Type: application/octet-stream; name="scan.eml"')
    const python = await parseWithPython(raw)
    expect(python.defects).toEqual([])
    expect([...python.attachments[0]!.content]).toEqual([...bytes])
  })

  test.each([
    [
      'an ASCII message with LF endings, sent 7bit',
      'From: a@b.example\nSubject: inner\n\nhi\n',
      '7bit',
    ],
    ['a UTF-8 message, sent 8bit', 'From: a@b.example\r\nSubject: x\r\n\r\nGrüße\r\n', '8bit'],
  ])('%s, never base64 (RFC 2046 5.2.1)', async (_, content, encoding) => {
    const { raw, eightBit } = composeMessage({
      from: 'a@example.com',
      text: 'forwarded',
      attachments: [{ filename: 'fwd.eml', content }],
    })
    expect(raw).toContain(
      `Content-Type: message/rfc822; name="fwd.eml"\r\nContent-Transfer-Encoding: ${encoding}\r\n`,
    )
    expect(eightBit).toBe(encoding === '8bit')
    const canonical = content.replace(/\r?\n/g, '\r\n')
    const python = await parseWithPython(raw)
    expect(python.defects).toEqual([])
    expect(python.attachments[0]!.content.toString()).toBe(canonical)
    const mailparser = await parseWithMailparser(raw)
    expect(mailparser.attachments[0]!.content.toString()).toBe(canonical)
  })
})
