import { describe, expect, it } from 'vitest'
import { splitMessage } from '../../src/dkim/message.js'
import { toCrlf } from '../../src/encode/line-endings.js'
import { MimeError } from '../../src/errors.js'

// The signer normalises line endings with the package's one normaliser (encode/line-endings.ts).
describe('line endings of a message to sign', () => {
  it('turns bare LF and bare CR into CRLF and leaves CRLF alone', () => {
    expect(toCrlf('a\nb\r\nc\rd\n')).toBe('a\r\nb\r\nc\r\nd\r\n')
  })

  it('returns a CRLF message unchanged', () => {
    const raw = 'From: a@example.com\r\n\r\nbody\r\n'
    expect(toCrlf(raw)).toBe(raw)
  })
})

describe('splitMessage', () => {
  it('splits at the first empty line and keeps folded fields whole', () => {
    const raw = 'From: a@example.com\r\nSubject: one\r\n two\r\n\r\nbody\r\n\r\nmore\r\n'
    expect(splitMessage(raw)).toEqual({
      fields: [
        { name: 'from', text: 'From: a@example.com' },
        { name: 'subject', text: 'Subject: one\r\n two' },
      ],
      body: 'body\r\n\r\nmore\r\n',
    })
  })

  it('lower-cases names and drops whitespace before the colon', () => {
    expect(splitMessage('X-Thing \t: v\r\n\r\n').fields).toEqual([
      { name: 'x-thing', text: 'X-Thing \t: v' },
    ])
  })

  it('reads a message with no empty line as all header and no body', () => {
    expect(splitMessage('From: a@example.com\r\nTo: b@example.org')).toEqual({
      fields: [
        { name: 'from', text: 'From: a@example.com' },
        { name: 'to', text: 'To: b@example.org' },
      ],
      body: '',
    })
  })

  it('reads an empty body after the empty line', () => {
    expect(splitMessage('From: a@example.com\r\n\r\n').body).toBe('')
  })

  it('refuses a header line without a colon', () => {
    expect(() => splitMessage('From: a@example.com\r\nnonsense\r\n\r\n')).toThrow(MimeError)
  })

  it('refuses a message that starts with a continuation line', () => {
    expect(() => splitMessage(' folded: x\r\n\r\n')).toThrow(/continuation/)
  })
})
