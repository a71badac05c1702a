import { createHmac } from 'node:crypto'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { cramMd5 } from '../../src/auth/cram-md5.js'
import { chooseMechanism } from '../../src/auth/index.js'
import { login } from '../../src/auth/login.js'
import { oauthBearer } from '../../src/auth/oauthbearer.js'
import { plain } from '../../src/auth/plain.js'
import { xoauth2 } from '../../src/auth/xoauth2.js'
import { SmtpError } from '../../src/errors.js'
import { firstUnsafe, hasLoneSurrogate } from '../../src/protocol/text.js'

// SASL payloads, decoded the way a server decodes them (Buffer and node:crypto, not our code),
// carry exactly the user and secret given; what would change their framing is refused first.

const decode = (b64: string) => Buffer.from(b64, 'base64').toString('utf8')
const text = fc.string({ unit: 'binary', maxLength: 40 })
const user = text.filter((u) => firstUnsafe(u) === undefined)
const password = text.filter((p) => !p.includes('\0') && !hasLoneSurrogate(p))
const token = text.filter((t) => firstUnsafe(t) === undefined)

function refusal(f: () => unknown, field: string): void {
  try {
    f()
  } catch (e) {
    expect(e).toBeInstanceOf(SmtpError)
    expect(e).toMatchObject({ stage: 'input', field })
    return
  }
  throw new Error('accepted')
}

describe('SASL framing', () => {
  it('PLAIN decodes to an empty authzid, the user and the password', () => {
    fc.assert(
      fc.property(user, password, (u, p) => {
        const fields = decode(plain({ user: u, pass: p }).initial()!).split('\0')
        expect(fields).toEqual(['', u, p])
      }),
    )
  })

  it('LOGIN answers exactly the user, then exactly the password', () => {
    fc.assert(
      fc.property(user, password, (u, p) => {
        const m = login({ user: u, pass: p })
        expect(decode(m.respond('VXNlcm5hbWU6'))).toBe(u)
        expect(decode(m.respond('UGFzc3dvcmQ6'))).toBe(p)
      }),
    )
  })

  it('CRAM-MD5 answers the user, a space and the HMAC-MD5 of the challenge under the password', () => {
    fc.assert(
      fc.property(
        user.filter((u) => !u.includes(' ')),
        password,
        fc.uint8Array({ maxLength: 64 }),
        (u, p, challenge) => {
          const answer = decode(
            cramMd5({ user: u, pass: p }).respond(Buffer.from(challenge).toString('base64')),
          )
          const space = answer.lastIndexOf(' ')
          expect(answer.slice(0, space)).toBe(u)
          expect(answer.slice(space + 1)).toBe(
            createHmac('md5', Buffer.from(p, 'utf8')).update(challenge).digest('hex'),
          )
        },
      ),
    )
  })

  it('XOAUTH2 decodes to exactly user= and auth=Bearer fields', () => {
    fc.assert(
      fc.property(user, token, (u, t) => {
        const fields = decode(xoauth2({ user: u, accessToken: t }).initial()!).split('\x01')
        expect(fields).toEqual([`user=${u}`, `auth=Bearer ${t}`, '', ''])
      }),
    )
  })

  it('OAUTHBEARER escapes the user in its GS2 header and carries the token whole (RFC 7628)', () => {
    fc.assert(
      fc.property(user, token, (u, t) => {
        const payload = decode(
          oauthBearer({ user: u, accessToken: t }, 'mx.example.org', 587).initial()!,
        )
        const [gs2, ...pairs] = payload.split('\x01')
        // gs2-header = "n," "a=" saslname ","; saslname has no bare ',' (RFC 5801 4)
        const m = /^n,a=([^,]*),$/.exec(gs2!)
        expect(m).not.toBeNull()
        expect(m![1]!.replace(/=2C/g, ',').replace(/=3D/g, '=')).toBe(u)
        expect(pairs).toEqual(['host=mx.example.org', 'port=587', `auth=Bearer ${t}`, '', ''])
      }),
    )
  })

  it('refuses a NUL in a PLAIN or LOGIN user or password before anything is built', () => {
    for (const make of [plain, login]) {
      refusal(() => make({ user: 'alice\0mallory', pass: 'pw' }), 'auth.user')
      refusal(() => make({ user: 'alice', pass: 'pw\0x' }), 'auth.pass')
    }
  })

  it('refuses ^A in an XOAUTH2 or OAUTHBEARER user or token', () => {
    const bearer = (c: { user: string; accessToken: string }) => oauthBearer(c, 'h', 1)
    for (const make of [xoauth2, bearer]) {
      refusal(() => make({ user: 'alice\x01auth=Bearer MALLORY', accessToken: 't' }), 'auth.user')
      refusal(() => make({ user: 'alice', accessToken: 'tok\x01x' }), 'auth.accessToken')
    }
  })

  it('refuses a space in a CRAM-MD5 user, and does not choose CRAM-MD5 for one', () => {
    refusal(() => cramMd5({ user: 'john doe', pass: 'p' }), 'auth.user')
    expect(
      chooseMechanism(['CRAM-MD5', 'PLAIN'], { user: 'john doe', pass: 'p' }, 'h', 1)?.name,
    ).toBe('PLAIN')
    refusal(
      () =>
        chooseMechanism(
          ['CRAM-MD5'],
          { user: 'john doe', pass: 'p', mechanism: 'CRAM-MD5' },
          'h',
          1,
        ),
      'auth.user',
    )
  })

  it('refuses lone surrogates in passwords, which UTF-8 would silently turn into U+FFFD', () => {
    refusal(() => plain({ user: 'u', pass: 'a\ud800' }), 'auth.pass')
    refusal(() => cramMd5({ user: 'u', pass: '\udc00' }), 'auth.pass')
  })
})
