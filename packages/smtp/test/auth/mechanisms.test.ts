import { describe, expect, it } from 'vitest'
import { cramMd5 } from '../../src/auth/cram-md5.js'
import { chooseMechanism } from '../../src/auth/index.js'
import { login } from '../../src/auth/login.js'
import { oauthBearer } from '../../src/auth/oauthbearer.js'
import { plain } from '../../src/auth/plain.js'
import { xoauth2 } from '../../src/auth/xoauth2.js'

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64')
const unb64 = (s: string) => Buffer.from(s, 'base64').toString('utf8')

describe('AUTH mechanisms', () => {
  it('PLAIN sends NUL user NUL pass as its initial response (RFC 4616)', () => {
    expect(plain({ user: 'tim', pass: 'tanstaaftanstaaf' }).initial()).toBe(
      b64('\0tim\0tanstaaftanstaaf'),
    )
  })

  it('LOGIN answers the user name first, then the password, as UTF-8', () => {
    const m = login({ user: 'jörg', pass: 'pässword' })
    expect(m.initial()).toBeUndefined()
    expect(unb64(m.respond(b64('Username:')))).toBe('jörg')
    expect(unb64(m.respond(b64('Password:')))).toBe('pässword')
  })

  it('CRAM-MD5 answers the RFC 2195 example challenge', () => {
    const m = cramMd5({ user: 'tim', pass: 'tanstaaftanstaaf' })
    const challenge = b64('<1896.697170952@postoffice.reston.mci.net>')
    expect(unb64(m.respond(challenge))).toBe('tim b913a602c7eda7a495b4e6e7334d3890')
  })

  it('XOAUTH2 sends user and bearer token, and an empty answer to an error challenge', () => {
    const m = xoauth2({ user: 'a@b.c', accessToken: 'tok' })
    expect(unb64(m.initial()!)).toBe('user=a@b.c\x01auth=Bearer tok\x01\x01')
    expect(m.respond(b64('{"status":"401"}'))).toBe('')
  })

  it('OAUTHBEARER sends the GS2 header and answers an error with ^A (RFC 7628)', () => {
    const m = oauthBearer({ user: 'a,b=c@d', accessToken: 'tok' }, 'mx.example.org', 587)
    expect(unb64(m.initial()!)).toBe(
      'n,a=a=2Cb=3Dc@d,\x01host=mx.example.org\x01port=587\x01auth=Bearer tok\x01\x01',
    )
    expect(unb64(m.respond('eyJ9'))).toBe('\x01')
  })

  it('chooses the strongest mechanism the server offers', () => {
    const pw = { user: 'u', pass: 'p' }
    const tok = { user: 'u', accessToken: 't' }
    expect(chooseMechanism(['LOGIN', 'PLAIN', 'CRAM-MD5'], pw, 'h', 1)?.name).toBe('CRAM-MD5')
    expect(chooseMechanism(['LOGIN', 'PLAIN'], pw, 'h', 1)?.name).toBe('PLAIN')
    expect(chooseMechanism(['LOGIN'], pw, 'h', 1)?.name).toBe('LOGIN')
    expect(chooseMechanism(['XOAUTH2'], pw, 'h', 1)).toBeUndefined()
    expect(chooseMechanism(['XOAUTH2', 'OAUTHBEARER', 'PLAIN'], tok, 'h', 1)?.name).toBe(
      'OAUTHBEARER',
    )
    expect(chooseMechanism(['XOAUTH2', 'PLAIN'], tok, 'h', 1)?.name).toBe('XOAUTH2')
    expect(chooseMechanism(['PLAIN'], tok, 'h', 1)).toBeUndefined()
  })

  it('uses only the mechanism the caller forces', () => {
    expect(
      chooseMechanism(['PLAIN', 'LOGIN'], { user: 'u', pass: 'p', mechanism: 'LOGIN' }, 'h', 1)
        ?.name,
    ).toBe('LOGIN')
    expect(
      chooseMechanism(['PLAIN'], { user: 'u', pass: 'p', mechanism: 'LOGIN' }, 'h', 1),
    ).toBeUndefined()
  })
})
