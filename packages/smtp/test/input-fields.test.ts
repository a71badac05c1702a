import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { SmtpError } from '../src/errors.js'
import { resolveOptions } from '../src/options.js'
import { parseCapabilities } from '../src/protocol/capabilities.js'
import { assertAddress, command } from '../src/protocol/commands.js'
import type { Envelope } from '../src/protocol/envelope.js'
import { messageSource } from '../src/protocol/message.js'
import { planTransaction } from '../src/protocol/plan.js'

// Every field that takes a string and ends up on a command line refuses C0 controls (CR, LF and
// NUL included), DEL, C1 controls, U+2028/U+2029, bidi controls and lone surrogates, with an
// SmtpError of stage 'input' naming the field; what it accepts goes on the wire unchanged.

const codes = (from: number, to: number) => fc.integer({ min: from, max: to })
const unsafe = fc.oneof(
  codes(0x00, 0x1f).map((c) => String.fromCharCode(c)),
  fc.constant('\x7f'),
  codes(0x80, 0x9f).map((c) => String.fromCharCode(c)),
  fc.constantFrom('\u2028', '\u2029'),
  fc.oneof(codes(0x202a, 0x202e), codes(0x2066, 0x2069)).map((c) => String.fromCharCode(c)),
  codes(0xd800, 0xdfff).map((c) => String.fromCharCode(c)),
)
const safe = fc.string({
  unit: fc.constantFrom('a', 'z', '0', '.', '-', '_', 'é', 'ß', '例', '😀'),
})
const word = safe.map((s) => `a${s}`)
const tainted = fc.tuple(word, unsafe, safe).map(([a, bad, b]) => `${a}${bad}${b}`)

const caps = parseCapabilities(['mx', 'SMTPUTF8', 'DSN', '8BITMIME'])
const plan = (envelope: Envelope) =>
  planTransaction(envelope, messageSource('x\r\n'), caps, { preferData: false })

function refusal(f: () => unknown): SmtpError {
  try {
    f()
  } catch (e) {
    expect(e).toBeInstanceOf(SmtpError)
    expect((e as SmtpError).stage).toBe('input')
    return e as SmtpError
  }
  throw new Error('accepted')
}

const fields: [string, (value: string) => unknown][] = [
  ['from', (v) => plan({ from: `${v}@example.org`, to: ['b@example.org'] })],
  ['to[1]', (v) => plan({ from: 'a@example.org', to: ['b@example.org', `${v}@example.org`] })],
  ['to', (v) => command.rcptTo(`${v}@example.org`)],
  ['from', (v) => command.mailFrom(`b@${v}.example`)],
  ['to[0]', (v) => assertAddress(`${v}@example.org`, 'to[0]')],
  ['name', (v) => resolveOptions({ host: 'h', name: v })],
  ['name', (v) => command.ehlo(v)],
  ['host', (v) => resolveOptions({ host: v })],
  ['dsn.envid', (v) => plan({ from: 'a@x.org', to: ['b@x.org'], dsn: { envid: v } })],
  ['auth.user', (v) => resolveOptions({ host: 'h', auth: { user: v, pass: 'p' } })],
  ['auth.user', (v) => resolveOptions({ host: 'h', auth: { user: v, accessToken: 't' } })],
  ['auth.accessToken', (v) => resolveOptions({ host: 'h', auth: { user: 'u', accessToken: v } })],
]

describe('string fields', () => {
  it.each(fields)('%s refuses every unsafe character, naming the field', (field, use) => {
    fc.assert(
      fc.property(tainted, (value) => {
        const e = refusal(() => use(value))
        expect(e.field).toBe(field)
        expect(e.message).toContain(field)
      }),
    )
  })

  it.each([
    ['\u0085', 'a C1 control character (U+0085)'],
    ['\u009b', 'a C1 control character (U+009B)'],
    ['\u2028', 'a line or paragraph separator (U+2028)'],
    ['\u202e', 'a bidirectional control (U+202E)'],
    ['\ud800', 'a lone surrogate (U+D800)'],
  ])('says what %j is and where, without echoing it', (c, what) => {
    const e = refusal(() => assertAddress(`ab${c}@example.org`, 'to[0]'))
    expect(e.message).toBe(`to[0] contains ${what} at index 2`)
  })

  it('auth.pass refuses NUL and lone surrogates, and nothing else, never showing the password', () => {
    const secret = fc.tuple(word, fc.constantFrom('\0', '\ud800', '\udc00'), safe)
    fc.assert(
      fc.property(secret, ([a, bad, b]) => {
        const pass = `Sekrit-${a}${bad}${b}`
        const e = refusal(() => resolveOptions({ host: 'h', auth: { user: 'u', pass } }))
        expect(e.field).toBe('auth.pass')
        expect(e.message).not.toContain('Sekrit')
      }),
    )
    for (const pass of ['tab\there', 'new\nline', 'bidi\u202e', 'c1\x85', '😀']) {
      expect(() => resolveOptions({ host: 'h', auth: { user: 'u', pass } })).not.toThrow()
    }
  })

  it('never rewrites an address: what is accepted is written exactly as given', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.string({ unit: 'binary' }), (local, domain) => {
        const address = `${local}@${domain}`
        let line: string
        try {
          line = command.rcptTo(address)
        } catch (e) {
          expect(e).toBeInstanceOf(SmtpError)
          return
        }
        expect(line).toBe(`RCPT TO:<${address}>\r\n`)
        expect(/\p{Cs}/u.test(address)).toBe(false)
        expect(new TextDecoder().decode(new TextEncoder().encode(line))).toBe(line)
      }),
    )
  })
})
