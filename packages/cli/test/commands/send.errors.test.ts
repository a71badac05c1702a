import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { refusingPort, startAiosmtpd, startScriptedServer } from '@mail/testkit'
import { describe, expect, it } from 'vitest'
import { type CliResult, runCli } from '../helpers/cli.js'
import { useWorkDir } from '../helpers/workdir.js'

// Every failure of `mailx send` is one line in the CLI's words: flags, URL parts and query
// options, never the option names of the libraries (security: 'implicit', tls: { ca }, "set the
// smtputf8 option"), OpenSSL's codes, or a reply code said twice.

const work = useWorkDir()
const SEND = ['send', '-f', 'me@example.com', '-t', 'you@example.com', '--text', 'x']

/** The one line printed on stderr, after checking that it is one line and the exit code 1. */
function oneLine(r: CliResult): string {
  expect(r.code).toBe(1)
  expect(r.stdout).toBe('')
  const lines = r.stderr.trimEnd().split('\n')
  expect(lines).toHaveLength(1)
  const line = lines[0]!
  expect(line).toMatch(/^mailx: /)
  // Library option syntax, OpenSSL's error strings, a doubled prefix or reply code.
  expect(line).not.toMatch(/security: '|tls: \{|smtputf8 option|error:[0-9A-F]{8}|ssl3_|\.c:\d/)
  expect(line).not.toMatch(/Invalid SMTP transport|\b(\d{3}) (\d\.\d+\.\d+ )?\1\b/)
  return line
}

const send = (args: string[], env?: Record<string, string>) =>
  runCli([...SEND, ...args], env === undefined ? { cwd: work.dir() } : { cwd: work.dir(), env })

describe('mailx send: a mistyped flag', () => {
  it('suggests --html-file for --html and --attach for --attachment', async () => {
    expect(oneLine(await send(['--html', 'page.html']))).toBe(
      'mailx: unknown option --html: did you mean --html-file? (see: mailx send --help)',
    )
    expect(oneLine(await send(['--attachment', 'a.pdf']))).toBe(
      'mailx: unknown option --attachment: did you mean --attach? (see: mailx send --help)',
    )
  })

  it('suggests the flag a typo is nearest to', async () => {
    expect(oneLine(await send(['--sujbect', 'Hi']))).toBe(
      'mailx: unknown option --sujbect: did you mean --subject? (see: mailx send --help)',
    )
    expect(oneLine(await send(['--smpt', 'smtp://h']))).toMatch(/did you mean --smtp\?/)
  })

  it('points flags of other mail tools to the URL', async () => {
    expect(oneLine(await send(['--port', '587']))).toBe(
      'mailx: unknown option --port: did you mean --smtp smtp://HOST:PORT? (see: mailx send --help)',
    )
  })

  it('reads -from as the --from it surely meant, not as -f rom', async () => {
    const line = oneLine(await runCli(['send', '-from', 'me@example.com'], { cwd: work.dir() }))
    expect(line).toBe('mailx: did you mean --from? (see: mailx send --help)')
  })

  it('says which flag lacks its value', async () => {
    const line = oneLine(
      await runCli(['send', '--to', 'you@example.com', '--from'], { cwd: work.dir() }),
    )
    expect(line).toMatch(/^mailx: --from needs a value/)
  })
})

describe('mailx send: a bad SMTP URL', () => {
  it('names the part of the --smtp URL at fault, with one prefix', async () => {
    expect(oneLine(await send(['--smtp', 'smtp://mail.example.com:99999']))).toBe(
      'mailx: bad --smtp URL: the port must be a number from 1 to 65535',
    )
    expect(oneLine(await send(['--smtp', 'smtp://mail.example.com?security=tls']))).toBe(
      'mailx: bad --smtp URL: ?security= must be one of implicit, starttls, starttls-opportunistic, none',
    )
  })

  it("answers Nodemailer's ?secure= with smtps://", async () => {
    expect(oneLine(await send(['--smtp', 'smtp://mail.example.com:465?secure=true']))).toBe(
      'mailx: bad --smtp URL: unknown query option ?secure=: for TLS from the first byte use smtps://; smtp:// requires STARTTLS',
    )
  })

  it('suggests the query option a typo in SMTP_URL is nearest to', async () => {
    const line = oneLine(await send([], { SMTP_URL: 'smtp://mail.example.com?greetingtimout=5' }))
    expect(line).toBe(
      'mailx: bad SMTP_URL: unknown query option ?greetingtimout=: did you mean ?greetingTimeout=?',
    )
  })

  it('names the user name of the URL when it holds a NUL, never the password', async () => {
    const closed = await refusingPort()
    try {
      const url = `smtp://al%00ice:hunter2@127.0.0.1:${closed.port}`
      const line = oneLine(await send(['--smtp', url]))
      expect(line).toMatch(
        /^mailx: bad --smtp URL: the user name contains a control character \(U\+0000\)/,
      )
      expect(line).not.toContain('hunter2')
    } finally {
      await closed.release()
    }
  })
})

describe('mailx send: refusals with the reply code once', () => {
  it('a MAIL FROM refused with 530', async () => {
    const server = await startAiosmtpd({ security: 'starttls', requireStarttls: true })
    try {
      const url = `smtp://127.0.0.1:${server.port}?security=none`
      expect(oneLine(await send(['--smtp', url]))).toBe(
        `mailx: 127.0.0.1:${server.port} refused MAIL FROM: 530 Must issue a STARTTLS command first`,
      )
    } finally {
      await server.stop()
    }
  })

  it('a login refused with 535 5.7.8', async () => {
    const server = await startAiosmtpd({ security: 'starttls', auth: { user: 'u', pass: 'p' } })
    try {
      await writeFile(join(work.dir(), 'ca.pem'), server.ca)
      const url = `smtp://u:wrong@127.0.0.1:${server.port}`
      expect(oneLine(await send(['--ca', 'ca.pem', '--smtp', url]))).toBe(
        'mailx: auth failed: 535 5.7.8 Authentication credentials invalid',
      )
    } finally {
      await server.stop()
    }
  })

  it('a message larger than the SIZE limit, in KB and MB as the progress shows them', async () => {
    const server = await startAiosmtpd({ dataSizeLimit: 1024 * 1024 })
    try {
      await writeFile(join(work.dir(), 'big.bin'), new Uint8Array(1536 * 1024).fill(7))
      const url = `smtp://127.0.0.1:${server.port}?security=none`
      const line = oneLine(await send(['--attach', 'big.bin', '--smtp', url]))
      expect(line).toMatch(
        new RegExp(
          `^mailx: message too large: 2\\.\\d MB, and 127\\.0\\.0\\.1:${server.port} accepts at most 1\\.0 MB$`,
        ),
      )
      expect(await server.received()).toEqual([])
    } finally {
      await server.stop()
    }
  })
})

describe('mailx send: TLS advice as flags and URLs', () => {
  it('names --ca for a certificate it cannot verify, without OpenSSL text', async () => {
    const server = await startAiosmtpd({ security: 'starttls' })
    try {
      const line = oneLine(await send(['--smtp', `smtp://127.0.0.1:${server.port}`]))
      expect(line).toBe(
        `mailx: TLS failed with 127.0.0.1:${server.port}: its certificate is not trusted (unable to verify the first certificate): pass the CA that issued it with --ca FILE, or connect by the name it was issued for`,
      )
    } finally {
      await server.stop()
    }
  })

  it('says smtp:// when smtps:// meets a plaintext greeting', async () => {
    const server = await startAiosmtpd()
    try {
      expect(oneLine(await send(['--smtp', `smtps://127.0.0.1:${server.port}`]))).toBe(
        `mailx: TLS failed with 127.0.0.1:${server.port}: the server answered in plaintext: use smtp:// (STARTTLS) instead of smtps://`,
      )
    } finally {
      await server.stop()
    }
  })

  it('says smtps:// or ?security=starttls-opportunistic when STARTTLS is not offered', async () => {
    const server = await startAiosmtpd()
    try {
      const url = `smtp://127.0.0.1:${server.port}?security=starttls`
      expect(oneLine(await send(['--smtp', url]))).toBe(
        `mailx: 127.0.0.1:${server.port} does not offer STARTTLS: use smtps:// if it speaks TLS from the first byte, or add ?security=starttls-opportunistic to the URL to send without encryption`,
      )
    } finally {
      await server.stop()
    }
  })

  it('says this port speaks TLS when TLS data arrives instead of a greeting', async () => {
    // A TLS record (handshake, TLS 1.2) where "220 ..." belongs.
    const server = await startScriptedServer((c) => c.write(Buffer.from([22, 3, 3, 0, 2, 2, 40])))
    try {
      expect(oneLine(await send(['--smtp', `smtp://127.0.0.1:${server.port}`]))).toBe(
        `mailx: no SMTP greeting from 127.0.0.1:${server.port}: this port speaks TLS: use smtps://`,
      )
    } finally {
      await server.stop()
    }
  })

  it('suggests smtps:// when a server on another port stays silent', async () => {
    const server = await startScriptedServer(() => {}, { tls: true })
    try {
      const url = `smtp://127.0.0.1:${server.port}?greetingTimeout=200`
      expect(oneLine(await send(['--smtp', url]))).toBe(
        `mailx: no SMTP greeting from 127.0.0.1:${server.port} (timed out): if this port speaks TLS from the first byte, use smtps://`,
      )
    } finally {
      await server.stop()
    }
  })
})

describe('mailx send: SMTPUTF8 and 8BITMIME', () => {
  const utf8 = ['send', '-f', 'me@example.com', '-t', 'j\u00f6rg@example.de', '--text', 'x']

  it('says --smtputf8 for a UTF-8 address given without it', async () => {
    const line = oneLine(await runCli(utf8, { cwd: work.dir() }))
    expect(line).toMatch(/^mailx: bad address in --to: .*needs SMTPUTF8 \(use --smtputf8\)$/)
  })

  it('says the server lacks SMTPUTF8 when --smtputf8 cannot be honoured', async () => {
    const server = await startAiosmtpd({ smtputf8: false })
    try {
      const url = `smtp://127.0.0.1:${server.port}?security=none`
      const line = oneLine(
        await runCli([...utf8, '--smtputf8', '--smtp', url], { cwd: work.dir() }),
      )
      expect(line).toBe(
        `mailx: 127.0.0.1:${server.port} does not offer SMTPUTF8, which a UTF-8 address needs (--smtputf8): use an ASCII address or a server that offers it`,
      )
    } finally {
      await server.stop()
    }
  })

  it('says how to encode an --eml with 8-bit octets for a server without 8BITMIME', async () => {
    const server = await startScriptedServer(async (c) => {
      c.write('220 old.test\r\n')
      await c.readLine()
      c.write('250 old.test\r\n')
      expect(await c.readLine()).toBe('QUIT')
      c.write('221 bye\r\n')
    })
    try {
      const eml = 'From: me@example.com\r\nTo: you@example.com\r\n\r\nGr\u00fc\u00dfe\r\n'
      await writeFile(join(work.dir(), 'm.eml'), eml)
      const url = `smtp://127.0.0.1:${server.port}?security=none`
      const r = await runCli(['send', '--eml', 'm.eml', '--smtp', url], { cwd: work.dir() })
      expect(oneLine(r)).toBe(
        `mailx: 127.0.0.1:${server.port} does not offer 8BITMIME and the message has 8-bit octets: encode its parts as quoted-printable or base64`,
      )
      await server.done()
    } finally {
      await server.stop()
    }
  })
})

describe('mailx send --eml', () => {
  it('calls an empty file an empty --eml message', async () => {
    await writeFile(join(work.dir(), 'empty.eml'), '')
    const args = ['send', '--eml', 'empty.eml', '-f', 'me@example.com', '-t', 'you@example.com']
    expect(oneLine(await runCli(args, { cwd: work.dir() }))).toBe(
      'mailx: bad --eml message: it is empty',
    )
  })
})
