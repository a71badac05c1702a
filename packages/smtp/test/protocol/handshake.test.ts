import { describe, expect, it } from 'vitest'
import { transcript } from '../helpers/transcript.js'

describe('Handshake', () => {
  it('answers the greeting with EHLO and is ready after 250', () => {
    const t = transcript()
    expect(t.writes).toEqual([])
    expect(t.awaiting?.stage).toBe('greeting')
    t.server('220 mx.example.org ESMTP')
    expect(t.take()).toEqual(['EHLO client.example.com\r\n'])
    t.server('250-mx.example.org', '250-PIPELINING', '250-SIZE 1000', '250 8BITMIME')
    expect(t.events).toEqual(['ready'])
    expect(t.session.capabilities).toEqual({
      extensions: { PIPELINING: [], SIZE: ['1000'], '8BITMIME': [] },
      size: 1000,
      auth: [],
    })
    expect(t.session.usable).toBe(true)
    expect(t.awaiting).toBeUndefined()
  })

  it('falls back to HELO when EHLO is refused', () => {
    const t = transcript()
    t.server('220 old.example.org')
    t.server('502 5.5.2 command not recognized')
    expect(t.take()).toEqual(['EHLO client.example.com\r\n', 'HELO client.example.com\r\n'])
    t.server('250 old.example.org')
    expect(t.events).toEqual(['ready'])
    expect(t.session.capabilities.extensions).toEqual({})
  })

  it('ends the session on a 554 greeting with a QUIT and an error naming the greeting', () => {
    const t = transcript()
    t.server('554 5.7.1 go away')
    expect(t.take()).toEqual(['QUIT\r\n'])
    expect(t.failures[0]).toMatchObject({
      stage: 'greeting',
      code: 554,
      enhancedCode: '5.7.1',
      permanent: true,
    })
    expect(t.events).toEqual(['close'])
  })

  it('diagnoses a TLS record where the greeting belongs', () => {
    const t = transcript()
    t.session.receive(new Uint8Array([0x16, 0x03, 0x01, 0x00, 0x05]))
    expect(t.failures[0]?.stage).toBe('greeting')
    expect(t.failures[0]?.message).toMatch(/security: 'implicit'/)
  })

  it('suggests implicit TLS when the greeting times out', () => {
    const t = transcript({ port: 465, security: 'starttls' })
    t.session.timedOut(1000)
    expect(t.failures[0]).toMatchObject({ stage: 'greeting', transient: true })
    expect(t.failures[0]?.message).toMatch(/Timed out after 1000 ms.*security: 'implicit'/)
    expect(t.events).toEqual(['destroy'])
  })

  it("refuses to go on when security 'starttls' meets a server without STARTTLS", () => {
    const t = transcript({ security: 'starttls', auth: { user: 'u', pass: 'p' } })
    t.server('220 mx')
    t.server('250-mx', '250 AUTH PLAIN')
    expect(t.take()).toEqual(['EHLO client.example.com\r\n', 'QUIT\r\n'])
    expect(t.failures[0]).toMatchObject({ stage: 'starttls' })
    expect(t.failures[0]?.message).toMatch(/does not offer STARTTLS/)
  })

  it('upgrades with STARTTLS, ignores plaintext injected after the 220, and says EHLO again', () => {
    const t = transcript({ security: 'starttls' })
    t.server('220 mx')
    t.server('250-mx', '250-AUTH PLAIN', '250 STARTTLS')
    t.server('220 go ahead', '250 injected')
    expect(t.take()).toEqual(['EHLO client.example.com\r\n', 'STARTTLS\r\n'])
    expect(t.events).toEqual(['starttls'])
    t.session.receive(Buffer.from('250 more injected\r\n'))
    t.session.tlsReady()
    expect(t.session.capabilities.extensions).toEqual({})
    expect(t.take()).toEqual(['EHLO client.example.com\r\n'])
    t.server('250-mx', '250 AUTH PLAIN LOGIN')
    expect(t.session.secure).toBe(true)
    expect(t.events).toEqual(['starttls', 'ready'])
  })

  it('reports a failed TLS handshake as stage tls', () => {
    const t = transcript({ security: 'starttls-opportunistic' })
    t.server('220 mx')
    t.server('250-mx', '250 STARTTLS')
    t.server('220 go')
    t.session.tlsFailed(new Error('certificate has expired'))
    expect(t.failures[0]).toMatchObject({ stage: 'tls' })
    expect(t.failures[0]?.message).toMatch(/certificate has expired/)
  })

  it('authenticates with PLAIN and keeps the secret out of the log', () => {
    const t = transcript({
      security: 'implicit',
      auth: { user: 'alice', pass: 's3cret' },
    })
    t.server('220 mx')
    t.server('250-mx', '250 AUTH LOGIN PLAIN')
    expect(t.take()[1]).toBe(`AUTH PLAIN ${Buffer.from('\0alice\0s3cret').toString('base64')}\r\n`)
    t.server('235 2.7.0 ok')
    expect(t.session.authenticated).toBe(true)
    const log = JSON.stringify(t.logs)
    expect(log).toContain('AUTH PLAIN <redacted>')
    expect(log).not.toContain(Buffer.from('\0alice\0s3cret').toString('base64'))
  })

  it('authenticates with LOGIN, answering each prompt, with continuations redacted', () => {
    const t = transcript({
      security: 'implicit',
      auth: { user: 'alice', pass: 's3cret' },
    })
    t.server('220 mx')
    t.server('250-mx', '250 AUTH LOGIN')
    t.take()
    t.server('334 VXNlcm5hbWU6')
    t.server('334 UGFzc3dvcmQ6')
    expect(t.take()).toEqual([`${btoa('alice')}\r\n`, `${btoa('s3cret')}\r\n`])
    t.server('235 ok')
    expect(t.events).toEqual(['ready'])
    expect(t.logs.filter((l) => l.direction === 'client').map((l) => l.line)).toEqual([
      'EHLO client.example.com',
      'AUTH LOGIN',
      '<redacted>',
      '<redacted>',
    ])
  })

  it('turns 535 into an auth error with code 535 that never shows the password', () => {
    const t = transcript({
      security: 'implicit',
      auth: { user: 'alice', pass: 's3cret' },
    })
    t.server('220 mx')
    t.server('250-mx', '250 AUTH PLAIN')
    t.server('535 5.7.8 Authentication credentials invalid')
    const e = t.failures[0]!
    expect(e).toMatchObject({ stage: 'auth', code: 535, enhancedCode: '5.7.8', permanent: true })
    expect(JSON.stringify({ ...e, message: e.message })).not.toContain('s3cret')
  })

  it('never sends credentials over plaintext to a non-loopback host', () => {
    const t = transcript({ security: 'starttls-opportunistic', auth: { user: 'a', pass: 'p' } })
    t.server('220 mx')
    t.server('250-mx', '250 AUTH PLAIN')
    expect(t.take()).toEqual(['EHLO client.example.com\r\n', 'QUIT\r\n'])
    expect(t.failures[0]).toMatchObject({ stage: 'auth' })
    expect(t.failures[0]?.message).toMatch(/unencrypted/)
  })

  it('sends credentials over plaintext when explicitly allowed', () => {
    const t = transcript({ allowInsecureAuth: true, auth: { user: 'a', pass: 'p' } })
    t.server('220 mx')
    t.server('250-mx', '250 AUTH PLAIN')
    expect(t.take()[1]).toMatch(/^AUTH PLAIN /)
  })

  it('fails when credentials are given but no AUTH is offered', () => {
    const t = transcript({ security: 'implicit', auth: { user: 'a', pass: 'p' } })
    t.server('220 mx')
    t.server('250-mx', '250 PIPELINING')
    expect(t.failures[0]).toMatchObject({ stage: 'auth' })
    expect(t.failures[0]?.message).toMatch(/offers no AUTH/)
    expect(t.events).not.toContain('ready')
  })

  it('closes cleanly on 421 after EHLO', () => {
    const t = transcript()
    t.server('220 mx')
    t.server('421 4.3.2 shutting down')
    expect(t.failures[0]).toMatchObject({ stage: 'ehlo', code: 421, transient: true })
    expect(t.session.usable).toBe(false)
    expect(t.events).toEqual(['close'])
  })

  it('tells which fix applies: implicit TLS, when TLS data or nothing comes where the greeting belongs', () => {
    const record = transcript()
    record.session.receive(new Uint8Array([0x16, 0x03, 0x01, 0x00, 0x05]))
    expect(record.failures[0]?.hint).toBe('use-implicit-tls')
    const silent = transcript({ port: 2465, security: 'starttls' })
    silent.session.timedOut(30_000)
    expect(silent.failures[0]).toMatchObject({ stage: 'greeting', hint: 'use-implicit-tls' })
  })

  it('tells which fix applies when STARTTLS is required but not offered', () => {
    const t = transcript({ security: 'starttls' })
    t.server('220 mx')
    t.server('250-mx', '250 AUTH PLAIN')
    expect(t.failures[0]).toMatchObject({ stage: 'starttls', hint: 'starttls-unavailable' })
    const tlsPort = transcript({ security: 'starttls', port: 465 })
    tlsPort.server('220 mx')
    tlsPort.server('250-mx', '250 AUTH PLAIN')
    expect(tlsPort.failures[0]).toMatchObject({ stage: 'starttls', hint: 'use-implicit-tls' })
  })

  it('tells which fix applies when credentials would go in clear, and sends them to a loopback address', () => {
    const away = transcript({ security: 'starttls-opportunistic', auth: { user: 'a', pass: 'p' } })
    away.server('220 mx')
    away.server('250-mx', '250 AUTH PLAIN')
    expect(away.failures[0]).toMatchObject({ stage: 'auth', hint: 'plaintext-auth' })
    const loopback = transcript({
      security: 'starttls-opportunistic',
      loopback: true,
      auth: { user: 'a', pass: 'p' },
    })
    loopback.server('220 mx')
    loopback.server('250-mx', '250 AUTH PLAIN')
    expect(loopback.take()[1]).toBe(`AUTH PLAIN ${btoa('\0a\0p')}\r\n`)
  })

  it('says QUIT and writes no AUTH line for credentials the chosen mechanism cannot carry', () => {
    const t = transcript({
      security: 'implicit',
      auth: { user: 'john doe', pass: 'p', mechanism: 'CRAM-MD5' },
    })
    t.server('220 mx')
    t.server('250-mx', '250 AUTH CRAM-MD5')
    expect(t.take()).toEqual(['EHLO client.example.com\r\n', 'QUIT\r\n'])
    expect(t.failures[0]).toMatchObject({ stage: 'input', field: 'auth.user' })
  })
})
