import { buildMessage, type MessageInput } from '@mail/mime'
import { type DkimCanonicalization, signDkim } from '@mail/mime/dkim'
import { beforeAll, describe, expect, it } from 'vitest'
import { ed25519Key, rsaKey, type TestKey } from './keys.js'
import { type VerifyCase, verifyAllWithMailauth, verifyWithPython } from './verifiers.js'

const png = Uint8Array.from({ length: 600 }, (_, i) => (i * 7) % 256)
const from = 'Alice Example <alice@example.com>'
const to = 'Bob <bob@example.org>'

/** Every body shape the builder makes, plus header shapes that fold or encode. */
const INPUTS: Record<string, MessageInput> = {
  'text only': { from, to, subject: 'Text', text: 'Hello Bob,\n\nplain text.\n' },
  'html only': { from, to, subject: 'Html', html: '<p>Hello <b>Bob</b></p>' },
  'text and html': { from, to, subject: 'Both', text: 'Hello', html: '<p>Hello</p>' },
  'html with an inline image': {
    from,
    to,
    subject: 'Inline',
    text: 'see image',
    html: '<img src="cid:logo@example.com">',
    attachments: [{ filename: 'logo.png', content: png, cid: 'logo@example.com' }],
  },
  attachments: {
    from,
    to,
    subject: 'Files',
    text: 'two files',
    attachments: [
      { filename: 'data.bin', content: png },
      { filename: 'notes.txt', content: 'line one  \nline two\t\n\n\n' },
    ],
  },
  'html, inline image and attachment': {
    from,
    to,
    subject: 'Everything',
    text: 'text',
    html: '<p>html <img src="cid:i1"></p>',
    attachments: [
      { filename: 'i.png', content: png, cid: 'i1' },
      { filename: 'report.pdf', content: png },
    ],
  },
  'no body': { from, to, subject: 'Nothing' },
  'empty text': { from, to, subject: 'Empty', text: '' },
  'trailing blank lines and whitespace': {
    from,
    to,
    subject: 'Spaces',
    text: 'trailing spaces   \n\ttabs\t\tinside  \n \n\n\n\n',
  },
  'long lines and unicode text': {
    from,
    to,
    subject:
      'Grüße aus Köln, ein sehr langer Betreff mit vielen Wörtern, der gefaltet werden muss ☕',
    text: `${'Ünïcödé wörds and long lines '.repeat(40)}\n${'x'.repeat(1200)}\n`,
  },
  'many recipients and references': {
    from: { name: 'Jürgen Müller, Dr.', address: 'juergen@example.com' },
    to: Array.from({ length: 15 }, (_, i) => `Recipient Number ${i} <r${i}@example.org>`),
    cc: ['c1@example.org', 'c2@example.org'],
    replyTo: 'replies@example.com',
    subject: 'Thread',
    inReplyTo: '<parent@example.com>',
    references: Array.from({ length: 10 }, (_, i) => `<ref${i}.long-identifier@example.com>`),
    text: 'reply',
  },
  'custom headers and list-unsubscribe': {
    from,
    to,
    subject: 'News',
    headers: { 'X-Campaign': 'winter', 'X-Tags': ['a', 'b'] },
    listUnsubscribe: { url: 'https://example.com/unsubscribe?id=1', mailto: 'unsub@example.com' },
    html: '<p>news</p>',
  },
}

const CANONICALIZATIONS: DkimCanonicalization[] = [
  'relaxed/relaxed',
  'relaxed/simple',
  'simple/relaxed',
  'simple/simple',
]

let keys: TestKey[]

beforeAll(() => {
  keys = [rsaKey(2048), ed25519Key()]
})

describe('signDkim on buildMessage output', () => {
  it('signs every body shape of the builder so that python3-dkim and mailauth pass it', async () => {
    const cases: (VerifyCase & { label: string })[] = []
    for (const [shape, input] of Object.entries(INPUTS)) {
      const raw = buildMessage(input)
      for (const key of keys) {
        for (const canonicalization of CANONICALIZATIONS) {
          const message = await signDkim(raw, {
            domain: 'example.com',
            selector: 'builder',
            privateKey: key.pkcs8,
            canonicalization,
            expiresIn: 3600,
          })
          // The signer adds the final CRLF SMTP would add, when the builder left it off.
          expect(message.endsWith(raw.endsWith('\r\n') ? raw : `${raw}\r\n`)).toBe(true)
          cases.push({
            label: `${shape} ${key.kind} ${canonicalization}`,
            message,
            records: { 'builder._domainkey.example.com': key.txt },
          })
        }
      }
    }
    const [python, mailauth] = await Promise.all([
      verifyWithPython(cases),
      verifyAllWithMailauth(cases),
    ])
    const failures = cases
      .map((c, i) => ({ label: c.label, python: python[i], mailauth: mailauth[i] }))
      .filter((v) => v.python !== 'pass' || v.mailauth !== 'pass')
    expect(failures).toEqual([])
    expect(cases).toHaveLength(Object.keys(INPUTS).length * 8)
  })

  it('signs the List-Unsubscribe fields the builder writes', async () => {
    const raw = buildMessage(INPUTS['custom headers and list-unsubscribe']!)
    const message = await signDkim(raw, {
      domain: 'example.com',
      selector: 'builder',
      privateKey: keys[1]!.pkcs8,
    })
    const field = message.slice(0, message.indexOf('\r\nContent-') + 2).replace(/\r\n /g, ' ')
    const h = /h=([^;]*);/.exec(field)![1]!.replace(/ /g, '').split(':')
    expect(h).toContain('list-unsubscribe')
    expect(h).not.toContain('x-campaign')
  })
})
