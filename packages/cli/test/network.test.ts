import { describe, expect, it } from 'vitest'
import { parseSendArgs } from '../src/args.js'
import { networkOptions, oauth2Settings, proxyOf, splitUser } from '../src/network.js'
import { UsageError } from '../src/output.js'
import { chooseTarget } from '../src/transport.js'

const env = {
  MAIL_OAUTH2_TOKEN_URL: 'https://oauth2.googleapis.com/token',
  MAIL_OAUTH2_CLIENT_ID: 'env-client',
  MAIL_OAUTH2_CLIENT_SECRET: 'env-secret',
  MAIL_OAUTH2_REFRESH_TOKEN: 'env-refresh',
}

describe('oauth2Settings', () => {
  it('takes the environment, options winning, empty variables unset', () => {
    expect(oauth2Settings(parseSendArgs([]), {})).toBeUndefined()
    expect(oauth2Settings(parseSendArgs([]), { MAIL_OAUTH2_CLIENT_ID: '' })).toBeUndefined()
    expect(oauth2Settings(parseSendArgs([]), env)).toEqual({
      tokenUrl: 'https://oauth2.googleapis.com/token',
      clientId: 'env-client',
      clientSecret: 'env-secret',
      refreshToken: 'env-refresh',
    })
    const args = parseSendArgs(['--oauth2-client-id', 'flag-client', '--oauth2-scope', 'a b'])
    expect(oauth2Settings(args, env)).toMatchObject({ clientId: 'flag-client', scope: 'a b' })
  })

  it('names both ways to give a missing setting', () => {
    const args = parseSendArgs(['--oauth2-client-id', 'c'])
    expect(() => oauth2Settings(args, {})).toThrow(UsageError)
    expect(() => oauth2Settings(args, {})).toThrow(
      /OAuth2 needs --oauth2-token-url \(or MAIL_OAUTH2_TOKEN_URL\)/,
    )
    expect(() =>
      oauth2Settings(args, { MAIL_OAUTH2_TOKEN_URL: 'https://t.example/token' }),
    ).toThrow(/--oauth2-refresh-token \(or MAIL_OAUTH2_REFRESH_TOKEN\)/)
  })
})

describe('splitUser and chooseTarget with OAuth2', () => {
  it('takes the mailbox from the URL and leaves the URL without it', () => {
    expect(splitUser('smtp://me%40gmail.com@smtp.gmail.com:587?security=starttls')).toEqual({
      url: 'smtp://smtp.gmail.com:587?security=starttls',
      user: 'me@gmail.com',
    })
    expect(chooseTarget('smtp://me%40gmail.com@smtp.gmail.com:587', {}, '/i', true)).toEqual({
      kind: 'smtp',
      url: 'smtp://smtp.gmail.com:587',
      hostPort: 'smtp.gmail.com:587',
      source: '--smtp',
      user: 'me@gmail.com',
    })
  })

  it('wants the user alone: no user, or a password too, is a usage error', () => {
    expect(() => splitUser('smtp://smtp.gmail.com:587')).toThrow(/needs the mailbox in the URL/)
    expect(() => splitUser('smtp://me:secret@smtp.gmail.com')).toThrow(/user alone/)
    try {
      splitUser('smtp://me:secret@smtp.gmail.com')
    } catch (e) {
      expect((e as Error).message).not.toContain('secret')
    }
  })
})

describe('networkOptions', () => {
  it('adds the proxy, and a token provider for the URL user', () => {
    expect(networkOptions(undefined, undefined, undefined)).toEqual({})
    const options = networkOptions(
      'socks5://proxy.corp:1080',
      oauth2Settings(parseSendArgs([]), env),
      'me@gmail.com',
    )
    expect(options.proxy).toBe('socks5://proxy.corp:1080')
    expect(options.auth).toMatchObject({ user: 'me@gmail.com' })
    expect(typeof (options.auth as { accessToken: unknown }).accessToken).toBe('function')
  })

  it('turns a bad setting into a usage error naming the option and variable, not the value', () => {
    const settings = {
      ...oauth2Settings(parseSendArgs([]), env)!,
      tokenUrl: 'http://tokens.example/secret-path',
    }
    expect(() => networkOptions(undefined, settings, 'me@gmail.com')).toThrow(
      /bad OAuth2 setting --oauth2-token-url \/ MAIL_OAUTH2_TOKEN_URL: tokenUrl must be an https:\/\/ URL/,
    )
  })

  it('takes --proxy over SMTP_PROXY', () => {
    expect(proxyOf(parseSendArgs(['--proxy', 'http://a:1']), { SMTP_PROXY: 'http://b:2' })).toBe(
      'http://a:1',
    )
    expect(proxyOf(parseSendArgs([]), { SMTP_PROXY: 'http://b:2' })).toBe('http://b:2')
    expect(proxyOf(parseSendArgs([]), { SMTP_PROXY: '' })).toBeUndefined()
  })
})
