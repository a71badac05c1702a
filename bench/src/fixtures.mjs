// Inputs shared by the bench areas: the same message objects go to our side and to Nodemailer.
import { randomBytes } from 'node:crypto'

const text =
  'Hello Bob,\n\nthe figures for the third quarter are ready. Revenue grew by four percent,\n' +
  'costs stayed flat.\n\nBest regards,\nAlice\n'
const html =
  '<p>Hello Bob,</p><p>the figures for the third quarter are ready. Revenue grew by ' +
  '<b>four percent</b>, costs stayed flat.</p><p>Alice</p>'

/** A small text + html message (about 800 bytes built). `i` varies the subject a little. */
export const smallMessage = (i = 0) => ({
  from: 'Alice Example <alice@example.com>',
  to: 'Bob Example <bob@example.org>',
  subject: `Quarterly report ${i}`,
  text,
  html,
})

export const envelope = { from: 'alice@example.com', to: ['bob@example.org'] }

/** A pre-built small message (CRLF, no line starting with '.'), as a string. */
export const smallRaw = (i = 0) =>
  [
    'From: Alice Example <alice@example.com>',
    'To: Bob Example <bob@example.org>',
    `Subject: Quarterly report ${i}`,
    'Date: Sat, 28 Nov 2026 20:00:00 +0000',
    `Message-ID: <bench-${i}@example.com>`,
    'MIME-Version: 1.0',
    'Content-Type: multipart/alternative; boundary="--b1"',
    '',
    '----b1',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 7bit',
    '',
    text.replace(/\n/g, '\r\n'),
    '----b1',
    'Content-Type: text/html; charset=utf-8',
    'Content-Transfer-Encoding: 7bit',
    '',
    html,
    '----b1--',
    '',
  ].join('\r\n')

/** A message with one binary attachment of `size` random bytes. */
export const attachmentMessage = (bytes) => ({
  from: 'Alice Example <alice@example.com>',
  to: 'Bob Example <bob@example.org>',
  subject: 'The data set',
  text: 'The data set is attached.\n',
  attachments: [{ filename: 'data.bin', content: bytes, contentType: 'application/octet-stream' }],
})

export const randomData = (size) => randomBytes(size)

/** A pre-built message of about `size` bytes: headers and 76-character base64-like lines. */
export const largeRaw = (size) => {
  const head =
    'From: alice@example.com\r\nTo: bob@example.org\r\nSubject: Large\r\n' +
    'Message-ID: <large@example.com>\r\nMIME-Version: 1.0\r\n' +
    'Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n'
  const b64 = randomBytes(Math.ceil((size * 3) / 4)).toString('base64')
  const lines = []
  for (let i = 0; i < b64.length && head.length + lines.length * 78 < size; i += 76) {
    lines.push(b64.slice(i, i + 76))
  }
  return `${head}${lines.join('\r\n')}\r\n`
}
