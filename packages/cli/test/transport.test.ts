import { describe, expect, it } from 'vitest'
import { chooseTarget } from '../src/transport.js'

describe('chooseTarget', () => {
  it('prefers --smtp, then SMTP_URL, then the embedded inbox', () => {
    const env = { SMTP_URL: 'smtp://env.example.com:25' }
    expect(chooseTarget('smtp://flag.example.com:2525', env, '/inbox')).toEqual({
      kind: 'smtp',
      url: 'smtp://flag.example.com:2525',
      hostPort: 'flag.example.com:2525',
      source: '--smtp',
    })
    expect(chooseTarget(undefined, env, '/inbox')).toMatchObject({
      kind: 'smtp',
      hostPort: 'env.example.com:25',
      source: 'SMTP_URL',
    })
    expect(chooseTarget(undefined, {}, '/inbox')).toEqual({ kind: 'inbox', dir: '/inbox' })
  })

  it('treats an empty SMTP_URL as unset', () => {
    expect(chooseTarget(undefined, { SMTP_URL: '' }, '/inbox')).toEqual({
      kind: 'inbox',
      dir: '/inbox',
    })
  })

  it('names the default port: 465 for smtps, 587 for smtp, and brackets IPv6', () => {
    expect(chooseTarget('smtps://mail.example.com', {}, '/i')).toMatchObject({
      hostPort: 'mail.example.com:465',
    })
    expect(chooseTarget('smtp://mail.example.com', {}, '/i')).toMatchObject({
      hostPort: 'mail.example.com:587',
    })
    expect(chooseTarget('smtp://[::1]:25', {}, '/i')).toMatchObject({ hostPort: '[::1]:25' })
  })

  it('rejects a bad URL without echoing the password', () => {
    expect(() => chooseTarget('http://user:secret@x', {}, '/i')).toThrow(/smtp/)
    try {
      chooseTarget('smtp://user:secret@x?security=maybe', {}, '/i')
      expect.unreachable()
    } catch (err) {
      expect((err as Error).message).toMatch(/security/)
      expect((err as Error).message).not.toContain('secret')
    }
  })
})
