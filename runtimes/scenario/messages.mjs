// The representative messages every runtime builds, and the fixed generators that make the output
// deterministic. Plain JavaScript on purpose: Node, Bun, Deno and the Worker bundle import this
// very file, so "the same input" is literally the same module on every runtime.

/** The clock of every deterministic build (Date header). */
export const FIXED_DATE = new Date(Date.UTC(2026, 2, 4, 5, 6, 7))

/**
 * Fresh deterministic BuildOptions for one message: boundaries and Message-ID parts are derived
 * from the message name and a counter, so two runtimes building the same message must agree byte
 * for byte.
 */
export function buildOptions(name, extra = {}) {
  let ids = 0
  return {
    boundary: (index) => `=_${name}_${index}_boundary`,
    messageIdRandom: () => `${name}.${++ids}`,
    now: () => FIXED_DATE,
    ...extra,
  }
}

/** Every octet value 0..255, four times over: catches any transcoding of binary content. */
export function binaryBytes() {
  const bytes = new Uint8Array(1024)
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7 + (i >> 8)) & 0xff
  return bytes
}

// A valid 1x1 PNG (red pixel).
const PNG_BASE64 =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg=='

/** Decodes base64 with Web APIs only (atob), as the scenario must not need Node's Buffer. */
export function fromBase64(b64) {
  const bin = atob(b64)
  const out = new Uint8Array(bin.length)
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i)
  return out
}

export function pngBytes() {
  return fromBase64(PNG_BASE64)
}

const longLine = `${'A line that goes on and on without a break, '.repeat(30)}end.`

/**
 * The representative messages (issue 8): text+html, binary attachments, an inline image, Unicode
 * headers, and an SMTPUTF8 message (built with `smtputf8: true`, see {@link BUILD_EXTRA}).
 * A function so that every caller gets fresh Uint8Arrays.
 */
export function messageInputs() {
  return {
    'text-html': {
      from: 'Alice Example <alice@example.com>',
      to: ['bob@example.org', { name: 'Carol Q. Public', address: 'carol@example.net' }],
      cc: '"Doe, Jane" <jane@example.com>',
      bcc: 'hidden@example.org',
      replyTo: 'replies@example.com',
      subject: 'Quarterly report',
      text: `Hello Bob,\n\n.a line starting with a dot\nFrom the start of a line\n${longLine}\n\nAlice\n`,
      html: '<p>Hello <b>Bob</b>,</p>\n<p>.a line starting with a dot</p>\n<p>Alice</p>\n',
    },
    attachments: {
      from: 'reports@example.com',
      to: 'archive@example.org',
      subject: 'Binary attachments',
      text: 'Three attachments follow.\n',
      attachments: [
        { filename: 'data.bin', content: binaryBytes() },
        { filename: 'report.pdf', content: new Uint8Array([0x25, 0x50, 0x44, 0x46, 0, 1, 2, 255]) },
        { filename: 'résumé ñ.txt', content: 'Ünïcödé text attachment\n' },
        { content: new Uint8Array([0xde, 0xad, 0xbe, 0xef]), contentType: 'application/x-custom' },
      ],
    },
    'inline-image': {
      from: { name: 'Newsletter', address: 'news@example.com' },
      to: 'reader@example.org',
      subject: 'Inline image',
      text: 'See the logo.\n',
      html: '<p>Our logo: <img src="cid:logo@example.com" alt="logo"></p>\n',
      attachments: [
        { filename: 'logo.png', content: pngBytes(), cid: 'logo@example.com' },
        { filename: 'terms.txt', content: 'Plain terms.\n' },
      ],
    },
    'unicode-headers': {
      from: { name: 'Jürgen Müller', address: 'juergen@example.com' },
      to: [{ name: '山田 太郎', address: 'taro@例え.jp' }, 'Zoë <zoe@example.org>'],
      subject:
        'Grüße aus Köln — 日本語の件名 📧 and a subject long enough that it has to be folded over several lines',
      text: 'Grüße, 你好, привет, 📧\n',
      html: '<p>Grüße, 你好, привет, 📧</p>\n',
      inReplyTo: '<parent.1@example.com>',
      references: ['<root.1@example.com>', '<parent.1@example.com>'],
      headers: { 'X-Mailer-Test': 'cross-runtime', 'X-Unicode': 'Ünïcödé value' },
    },
    smtputf8: {
      from: 'José <josé@exämple.com>',
      to: '用户@例子.广告',
      subject: 'SMTPUTF8 — Grüße',
      text: 'Ünïcödé everywhere.\n',
    },
  }
}

/** Extra BuildOptions per message (beyond the deterministic generators). */
export const BUILD_EXTRA = { smtputf8: { smtputf8: true } }

/**
 * A single-part message with its own Date and Message-ID: building it needs no generator, so the
 * bytes `sendmail` puts on the wire are known in advance.
 */
export function plainSendInput() {
  return {
    from: 'Sender <sender@example.com>',
    to: ['one@example.org', 'Two <two@example.org>'],
    cc: 'three@example.net',
    bcc: ['four@example.net', 'one@EXAMPLE.ORG'],
    subject: 'Plain send over SMTP',
    text: `.leading dot must be stuffed on the wire\nSecond line\n${longLine}\n.\nlast\n`,
    date: FIXED_DATE,
    messageId: '<plain-send.1@example.com>',
  }
}

/** DKIM selector names used by the scenario; the harness publishes the keys under these. */
export const DKIM_DOMAIN = 'example.com'
export const DKIM_SELECTORS = { rsa: 'rsa2026', rsaPkcs1: 'rsapkcs1', ed25519: 'ed2026' }
