import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { type AiosmtpdOptions, parseWithPython, startAiosmtpd, stopAfterEach } from '@mail/testkit'
import { describe, expect, it } from 'vitest'
import { runCli } from '../helpers/cli.js'
import { useWorkDir } from '../helpers/workdir.js'

const work = useWorkDir()
const track = stopAfterEach()

/** STARTTLS with AUTH for alice, password "secret". */
const ALICE: AiosmtpdOptions = { security: 'starttls', auth: { user: 'alice', pass: 'secret' } }

/** Starts aiosmtpd (stopped after the test) and writes its CA to ca.pem in the work folder. */
async function serverWithCa(options: AiosmtpdOptions) {
  const server = await track(startAiosmtpd(options))
  await writeFile(join(work.dir(), 'ca.pem'), server.ca)
  return server
}

describe('mailx send --smtp to a real server with STARTTLS and AUTH (aiosmtpd)', () => {
  it('sends with --ca trusting the server certificate and prints where it went', async () => {
    const server = await serverWithCa({
      security: 'starttls',
      requireStarttls: true,
      auth: { user: 'alice', pass: 'p@ss/word' },
    })
    const url = `smtp://alice:${encodeURIComponent('p@ss/word')}@127.0.0.1:${server.port}?security=starttls`
    const r = await runCli(
      [
        'send',
        '-f',
        'me@example.com',
        '-t',
        'you@example.com',
        '-s',
        'Over TLS',
        '--text',
        'secure',
        '--smtp',
        url,
        '--ca',
        'ca.pem',
      ],
      { cwd: work.dir() },
    )
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    expect(r.stdout).toContain(`via 127.0.0.1:${server.port} (--smtp)`)
    const [msg] = await server.waitFor(1)
    expect(msg!.rcptTos).toEqual(['you@example.com'])
    expect((await parseWithPython(msg!.data)).subject).toBe('Over TLS')
    expect(await work.storedFiles()).toEqual([])
  })

  it('sends a ready --eml through the same transport: URL credentials, ?security and --ca', async () => {
    const pass = 'p@ss/wörd'
    const server = await serverWithCa({
      security: 'starttls',
      requireStarttls: true,
      auth: { user: 'u@x', pass },
    })
    const eml = 'From: me@example.com\r\nTo: you@example.com\r\nSubject: Ready\r\n\r\nAs is.\r\n'
    await writeFile(join(work.dir(), 'ready.eml'), eml)
    const url = `smtp://${encodeURIComponent('u@x')}:${encodeURIComponent(pass)}@127.0.0.1:${server.port}?security=starttls`
    const r = await runCli(['send', '--eml', 'ready.eml', '--smtp', url, '--ca', 'ca.pem'], {
      cwd: work.dir(),
    })
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    expect(r.stdout).toContain(`via 127.0.0.1:${server.port} (--smtp)`)
    const [msg] = await server.waitFor(1)
    expect(msg!.mailFrom).toBe('me@example.com')
    expect(msg!.data.toString('latin1')).toBe(eml)
  })

  it('takes SMTP_URL and NODE_EXTRA_CA_CERTS from the environment', async () => {
    const server = await serverWithCa(ALICE)
    const r = await runCli(
      ['send', '-f', 'me@example.com', '-t', 'you@example.com', '--text', 'env', '--json'],
      {
        cwd: work.dir(),
        env: {
          SMTP_URL: `smtp://alice:secret@127.0.0.1:${server.port}?security=starttls`,
          NODE_EXTRA_CA_CERTS: join(work.dir(), 'ca.pem'),
        },
      },
    )
    expect(r.code).toBe(0)
    expect(JSON.parse(r.stdout)).toMatchObject({
      server: `127.0.0.1:${server.port}`,
      accepted: ['you@example.com'],
    })
    expect(await server.waitFor(1)).toHaveLength(1)
  })

  it('exits 1 naming auth failed with the 535 reply for a wrong password', async () => {
    const server = await serverWithCa(ALICE)
    const r = await runCli(
      [
        'send',
        '-f',
        'me@example.com',
        '-t',
        'you@example.com',
        '--text',
        'x',
        '--ca',
        'ca.pem',
        '--smtp',
        `smtp://alice:wrong@127.0.0.1:${server.port}?security=starttls`,
      ],
      { cwd: work.dir() },
    )
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/^mailx: auth failed: 535\b/)
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1)
    expect(r.stderr).not.toContain('wrong')
    expect(await server.received()).toEqual([])
  })

  it('exits 1 naming TLS when the server certificate is not trusted', async () => {
    const server = await track(startAiosmtpd(ALICE))
    const r = await runCli(
      [
        'send',
        '-f',
        'me@example.com',
        '-t',
        'you@example.com',
        '--text',
        'x',
        '--smtp',
        `smtp://alice:secret@127.0.0.1:${server.port}?security=starttls`,
      ],
      { cwd: work.dir() },
    )
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(
      new RegExp(`^mailx: TLS failed with 127\\.0\\.0\\.1:${server.port}: .+\n$`),
    )
    expect(await server.received()).toEqual([])
  })

  it('prints the SMTP transcript with --verbose, the password redacted', async () => {
    const server = await serverWithCa({
      security: 'starttls',
      auth: { user: 'alice', pass: 'hunter2hunter2' },
    })
    const r = await runCli(
      [
        'send',
        '-f',
        'me@example.com',
        '-t',
        'you@example.com',
        '--text',
        'x',
        '--ca',
        'ca.pem',
        '--verbose',
        '--smtp',
        `smtp://alice:hunter2hunter2@127.0.0.1:${server.port}?security=starttls`,
      ],
      { cwd: work.dir() },
    )
    expect(r.code).toBe(0)
    expect(r.stderr).toMatch(/^C: STARTTLS$/m)
    expect(r.stderr).toMatch(/^C: AUTH /m)
    expect(r.stderr).toMatch(/^S: 235/m)
    expect(r.stderr).not.toContain('hunter2hunter2')
    expect(r.stderr).not.toContain(Buffer.from('\0alice\0hunter2hunter2').toString('base64'))
  })
})
