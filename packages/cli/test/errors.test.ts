import { buildMessage, MimeError } from '@mail/mime'
import { SendError, SmtpError } from '@mail/send'
import { describe, expect, it } from 'vitest'
import { describeError, describeErrorLine, replyText } from '../src/errors.js'
import { CliError } from '../src/output.js'

function mimeErrorOf(input: Parameters<typeof buildMessage>[0]): MimeError {
  try {
    buildMessage(input)
  } catch (err) {
    if (err instanceof MimeError) return err
    throw err
  }
  throw new Error('expected a MimeError')
}

describe('describeError', () => {
  it('says which option holds a bad address', () => {
    const err = mimeErrorOf({ from: 'me@example.com', to: ['ok@example.com', 'not an address'] })
    expect(describeError(err)).toMatch(/^bad address in --to: to\[1\]: /)
  })

  it('calls other builder errors invalid, naming the option', () => {
    const err = mimeErrorOf({ from: 'me@example.com', subject: 'a\r\nBcc: x@example.com' })
    expect(describeError(err)).toMatch(/^invalid --subject: subject: .*CR, LF/)
  })

  it('names refused connections by host:port, looking through causes', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:25'), {
      code: 'ECONNREFUSED',
    })
    expect(describeError(new Error('connect failed', { cause: refused }), '127.0.0.1:25')).toBe(
      'connection refused: 127.0.0.1:25',
    )
  })

  it('blames the proxy, not the server, when the proxy failed', () => {
    const err = new SmtpError(
      'SOCKS5 proxy 10.0.0.9:1080 failed at the TCP connection: ECONNREFUSED',
      { stage: 'connect', transient: true, proxy: '10.0.0.9:1080' },
    )
    expect(describeError(err, 'smtp.example.com:587')).toBe(
      'proxy failed: SOCKS5 proxy 10.0.0.9:1080 failed at the TCP connection: ECONNREFUSED',
    )
    const bad = new SmtpError('proxy scheme must be socks5 or http', {
      stage: 'input',
      field: 'proxy',
    })
    expect(describeError(bad)).toBe(
      'bad --proxy (or SMTP_PROXY): proxy scheme must be socks5 or http',
    )
  })

  it('reports a bad transport from @mail/send as a bad URL, naming where it came from once', () => {
    const err = new SendError('transport', 'Invalid SMTP transport: port must be a number', {
      field: 'port',
    })
    expect(describeError(err, { url: '--smtp' })).toBe('bad --smtp URL: the port must be a number')
    expect(describeError(err, { url: 'SMTP_URL' })).toBe('bad SMTP_URL: the port must be a number')
    expect(describeError(err)).toBe('bad SMTP URL: the port must be a number')
    const own = new SendError('transport', 'Invalid SMTP transport: pool.maxConnections is 0', {
      field: 'pool.maxConnections',
    })
    expect(describeError(own, { url: '--smtp' })).toBe(
      'bad SMTP transport: pool.maxConnections is 0',
    )
  })

  it('says a reply code and enhanced code once, whatever the lines of the reply', () => {
    const err = new SmtpError('Authentication failed: 535 5.7.8 bad credentials', {
      stage: 'auth',
      code: 535,
      enhancedCode: '5.7.8',
      command: 'AUTH',
      response: '535-5.7.8 bad credentials\n535 5.7.8 see https://help.example',
    })
    expect(describeError(err)).toBe(
      'auth failed: 535 5.7.8 bad credentials see https://help.example',
    )
  })

  it('words every hint of @mail/smtp as a flag or URL, never as library options', () => {
    const hints: NonNullable<SmtpError['hint']>[] = [
      'use-implicit-tls',
      'use-starttls',
      'starttls-unavailable',
      'plaintext-auth',
      'untrusted-certificate',
      'needs-smtputf8',
      'needs-8bitmime',
      'message-too-large',
    ]
    for (const hint of hints) {
      const err = new SmtpError("use security: 'implicit' or tls: { ca }", {
        stage: 'tls',
        hint,
        size: { message: 52_428_800, limit: 26_214_400 },
      })
      const line = describeError(err, { hostPort: 'mx.example.com:465', url: '--smtp' })
      expect(line).not.toMatch(/security: |tls: \{/)
      expect(line).toMatch(/smtps:\/\/|smtp:\/\/|--ca|--smtputf8|8BITMIME|MB/)
    }
  })

  it('warns that a delivery-unknown failure may have delivered the message', () => {
    const err = new SendError('delivery-unknown', 'connection lost after the data')
    expect(describeError(err, 'mx.example.com:25')).toMatch(
      /^delivery unknown: .*mx\.example\.com:25.*may have been delivered/,
    )
  })

  it('passes a CliError message through unchanged and keeps only the first line of others', () => {
    expect(describeError(new CliError('file not found: a.pdf'))).toBe('file not found: a.pdf')
    expect(describeError(new Error('first\nsecond'))).toBe('first')
  })
})

describe('describeErrorLine', () => {
  it('folds a cause that spans several lines onto one', () => {
    const err = new CliError(
      'handshake failed: error:0A00010B:SSL routines\n; the server answered in plaintext',
    )
    expect(describeErrorLine(err)).toBe(
      'handshake failed: error:0A00010B:SSL routines ; the server answered in plaintext',
    )
  })
})

describe('replyText', () => {
  it('joins code, enhanced code and text, skipping what is missing', () => {
    expect(replyText({ code: 550, enhancedCode: '5.1.1', message: 'no such user' })).toBe(
      '550 5.1.1 no such user',
    )
    expect(replyText({ code: 554, message: 'rejected' })).toBe('554 rejected')
  })
})
