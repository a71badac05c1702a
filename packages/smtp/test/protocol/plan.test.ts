import { describe, expect, it } from 'vitest'
import { SmtpError } from '../../src/errors.js'
import { parseCapabilities } from '../../src/protocol/capabilities.js'
import { messageSource } from '../../src/protocol/message.js'
import { EnvelopeMemo, planTransaction } from '../../src/protocol/plan.js'

const caps = (...ext: string[]) => parseCapabilities(['mx', ...ext])
const bytes = (s: string) => messageSource(new TextEncoder().encode(s))
const plan = (
  env: Parameters<typeof planTransaction>[0],
  raw: string,
  c = caps(),
  preferData = false,
) => planTransaction(env, bytes(raw), c, { preferData })

const stageOf = (f: () => unknown) => {
  try {
    f()
  } catch (e) {
    expect(e).toBeInstanceOf(SmtpError)
    return (e as SmtpError).stage
  }
  throw new Error('did not throw')
}

describe('planTransaction', () => {
  it('builds MAIL and RCPT lines with the null sender', () => {
    expect(plan({ from: '', to: ['b@x.org'] }, 'x')).toEqual({
      mail: 'MAIL FROM:<>\r\n',
      rcpts: [{ address: 'b@x.org', line: 'RCPT TO:<b@x.org>\r\n' }],
      bdat: false,
    })
  })

  it('refuses an empty recipient list and bad addresses as input errors', () => {
    expect(stageOf(() => plan({ from: 'a@x.org', to: [] }, 'x'))).toBe('input')
    expect(stageOf(() => plan({ from: 'a@x.org\r\nRSET', to: ['b@x.org'] }, 'x'))).toBe('input')
    expect(stageOf(() => plan({ from: 'a@x.org', to: ['b@x.org', 'c@x.org>'] }, 'x'))).toBe('input')
  })

  it('refuses a message larger than SIZE before MAIL', () => {
    expect(() =>
      plan({ from: 'a@x.org', to: ['b@x.org'] }, 'x'.repeat(9) + '\r\n', caps('SIZE 10')),
    ).toThrow(/11 octets.*at most 10/)
  })

  it('declares and checks the size as sent: CRLF line ends, a last CRLF added (RFC 1870)', () => {
    const sized = (raw: string) =>
      plan({ from: 'a@x.org', to: ['b@x.org'] }, raw, caps('SIZE', '8BITMIME')).mail
    expect(sized('a\r\nb\r\n')).toBe('MAIL FROM:<a@x.org> SIZE=6\r\n')
    // bare LF and bare CR become CRLF; a last line without one gets it
    expect(sized('a\nb\rc')).toBe('MAIL FROM:<a@x.org> SIZE=9\r\n')
    expect(sized('é\n')).toBe('MAIL FROM:<a@x.org> SIZE=4 BODY=8BITMIME\r\n')
    expect(sized('\r')).toBe('MAIL FROM:<a@x.org> SIZE=2\r\n')
    // the same count for a message given as a string
    expect(messageSource('a\nb\rc').wireSize()).toBe(9)
    expect(messageSource('a\r\nb').wireSize()).toBe(6)
    // dot-stuffing is not counted
    expect(sized('.\r\n..\r\n')).toBe('MAIL FROM:<a@x.org> SIZE=7\r\n')
    // 400 bare-LF lines of 1 octet: 1200 octets on the wire, over a limit of 1000
    expect(() =>
      plan({ from: 'a@x.org', to: ['b@x.org'] }, 'a\n'.repeat(400), caps('SIZE 1000')),
    ).toThrow(/1200 octets.*at most 1000/)
  })

  it('refuses a non-ASCII address when SMTPUTF8 is not offered', () => {
    expect(() => plan({ from: 'ü@x.org', to: ['b@x.org'] }, 'x', caps('8BITMIME'))).toThrow(
      /SMTPUTF8/,
    )
    expect(plan({ from: 'ü@x.org', to: ['b@x.org'] }, 'x', caps('SMTPUTF8')).mail).toBe(
      'MAIL FROM:<ü@x.org> SMTPUTF8\r\n',
    )
  })

  it('refuses 8-bit content without 8BITMIME instead of sending it silently', () => {
    expect(stageOf(() => plan({ from: 'a@x.org', to: ['b@x.org'] }, 'é'))).toBe('input')
    expect(plan({ from: 'a@x.org', to: ['b@x.org'] }, 'é', caps('8BITMIME')).mail).toBe(
      'MAIL FROM:<a@x.org> BODY=8BITMIME\r\n',
    )
  })

  it('uses BINARYMIME with BDAT for binary content when offered', () => {
    const p = plan({ from: 'a@x.org', to: ['b@x.org'] }, 'a\0b', caps('CHUNKING', 'BINARYMIME'))
    expect(p).toMatchObject({ bdat: true, mail: 'MAIL FROM:<a@x.org> BODY=BINARYMIME\r\n' })
    expect(plan({ from: 'a@x.org', to: ['b@x.org'] }, 'a', caps('CHUNKING'), true).bdat).toBe(false)
  })

  it('validates DSN options and drops them when DSN is not offered', () => {
    expect(
      stageOf(() =>
        plan({ from: 'a@x.org', to: ['b@x.org'], dsn: { notify: ['NEVER', 'SUCCESS'] } }, 'x'),
      ),
    ).toBe('input')
    expect(
      stageOf(() => plan({ from: 'a@x.org', to: ['b@x.org'], dsn: { envid: 'a\r\nb' } }, 'x')),
    ).toBe('input')
    expect(
      stageOf(() => plan({ from: 'a@x.org', to: ['b@x.org'], dsn: { ret: 'ALL' as 'FULL' } }, 'x')),
    ).toBe('input')
    const p = plan({ from: 'a@x.org', to: ['b@x.org'], dsn: { notify: ['FAILURE'] } }, 'x')
    expect(p.rcpts[0]?.line).toBe('RCPT TO:<b@x.org>\r\n')
  })

  it('writes ORCPT as utf-8 unitext for a non-ASCII recipient', () => {
    const p = plan(
      { from: 'a@x.org', to: ['ö@x.org'], dsn: { orcpt: true } },
      'x',
      caps('DSN', 'SMTPUTF8'),
    )
    expect(p.rcpts[0]?.line).toBe('RCPT TO:<ö@x.org> ORCPT=utf-8;ö@x.org\r\n')
  })
})

describe('EnvelopeMemo', () => {
  it('plans a repeated envelope as a fresh check would, per message', () => {
    const memo = new EnvelopeMemo()
    const c = caps('SIZE 1000')
    const env = { from: 'a@x.org', to: ['b@x.org', 'c@x.org'] }
    const first = planTransaction(env, bytes('one'), c, { preferData: false, memo })
    const second = planTransaction(env, bytes('three'), c, { preferData: false, memo })
    expect(second).toEqual(planTransaction(env, bytes('three'), c, { preferData: false }))
    expect(second.rcpts).toBe(first.rcpts)
    expect(second.mail).toBe('MAIL FROM:<a@x.org> SIZE=7\r\n')
  })

  it('checks again when the envelope or the capabilities change, even in the same array', () => {
    const memo = new EnvelopeMemo()
    const c = caps()
    const env = { from: 'a@x.org', to: ['b@x.org'] }
    planTransaction(env, bytes('x'), c, { preferData: false, memo })
    env.to[0] = 'bad\r\nRSET'
    expect(() => planTransaction(env, bytes('x'), c, { preferData: false, memo })).toThrow(
      /CR, LF or NUL/,
    )
    env.to[0] = 'd@x.org'
    expect(planTransaction(env, bytes('x'), c, { preferData: false, memo }).rcpts).toEqual([
      { address: 'd@x.org', line: 'RCPT TO:<d@x.org>\r\n' },
    ])
    const utf8 = { from: 'a@x.org', to: ['d@x.org'], smtputf8: true }
    expect(stageOf(() => planTransaction(utf8, bytes('x'), c, { preferData: false, memo }))).toBe(
      'mail',
    )
    const withUtf8 = caps('SMTPUTF8')
    expect(planTransaction(utf8, bytes('x'), withUtf8, { preferData: false, memo }).mail).toBe(
      'MAIL FROM:<a@x.org> SMTPUTF8\r\n',
    )
  })

  it('tells which fix applies when the server lacks what the message needs', () => {
    const error = (f: () => unknown) => {
      try {
        f()
      } catch (e) {
        return e as SmtpError
      }
      throw new Error('did not throw')
    }
    expect(error(() => plan({ from: 'ü@x.org', to: ['b@x.org'] }, 'x'))).toMatchObject({
      hint: 'needs-smtputf8',
    })
    expect(error(() => plan({ from: 'a@x.org', to: ['b@x.org'] }, 'é'))).toMatchObject({
      hint: 'needs-8bitmime',
      field: 'raw',
    })
    expect(
      error(() =>
        plan({ from: 'a@x.org', to: ['b@x.org'] }, `${'x'.repeat(9)}\r\n`, caps('SIZE 10')),
      ),
    ).toMatchObject({ hint: 'message-too-large', size: { message: 11, limit: 10 } })
  })

  it('names the field of every envelope input error', () => {
    const field = (env: object) => {
      try {
        plan(env as never, 'x')
      } catch (e) {
        return (e as SmtpError).field
      }
    }
    expect(field({ from: 'a@x.org', to: [] })).toBe('to')
    expect(field({ from: 'a b@x.org', to: ['b@x.org'] })).toBe('from')
    expect(field({ from: 'a@x.org', to: ['b@x.org', 'c'] })).toBe('to[1]')
    expect(field({ from: 'a@x.org', to: ['b@x.org'], dsn: { ret: 'ALL' } })).toBe('dsn.ret')
    expect(field({ from: 'a@x.org', to: ['b@x.org'], dsn: { notify: ['SOMETIMES'] } })).toBe(
      'dsn.notify',
    )
  })
})
