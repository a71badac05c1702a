import { randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { readdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { PassThrough } from 'node:stream'
import { parseWithPython, startAiosmtpd } from '@mail/testkit'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { runSend } from '../../src/commands/send.js'
import type { Io } from '../../src/output.js'
import { runCli, tempDir } from '../helpers/cli.js'
import { freePort, startRejectingServer } from '../helpers/servers.js'

let dir: string
let cleanup: () => Promise<void>
beforeEach(async () => {
  ;({ dir, cleanup } = await tempDir())
})
afterEach(async () => {
  await cleanup()
})

const inbox = () => join(dir, '.mail', 'inbox')
async function storedFiles(): Promise<string[]> {
  if (!existsSync(inbox())) return []
  return (await readdir(inbox())).filter((n) => n.endsWith('.eml')).map((n) => join(inbox(), n))
}
async function onlyStored(): Promise<Buffer> {
  const files = await storedFiles()
  expect(files).toHaveLength(1)
  return readFile(files[0]!)
}

describe('mailx send into the embedded inbox', () => {
  it('runs the README command: a message with an attachment, stored as .eml, path printed', async () => {
    const attachment = randomBytes(70_000)
    await writeFile(join(dir, 'README.md'), attachment)
    const r = await runCli(
      [
        'send',
        '--from',
        'me@example.com',
        '--to',
        'you@example.com',
        '--subject',
        'Hello',
        '--text',
        'Hi there',
        '--attach',
        'README.md',
      ],
      { cwd: dir },
    )
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    const [file] = await storedFiles()
    expect(file).toMatch(/\/\.mail\/inbox\/\d{8}T\d{9}Z-[0-9a-f]{6}\.eml$/)
    expect(r.stdout).toContain(`embedded inbox: .mail/inbox/${file!.split('/').pop()}`)
    expect(r.stdout).toContain('accepted: you@example.com')
    const parsed = await parseWithPython(await onlyStored())
    expect(parsed.defects).toEqual([])
    expect(parsed.subject).toBe('Hello')
    expect(parsed.from).toEqual([{ name: '', address: 'me@example.com' }])
    expect(parsed.to).toEqual([{ name: '', address: 'you@example.com' }])
    expect(parsed.text?.trim()).toBe('Hi there')
    expect(parsed.attachments).toHaveLength(1)
    expect(parsed.attachments[0]!.filename).toBe('README.md')
    expect(parsed.attachments[0]!.content.equals(attachment)).toBe(true)
  })

  it('stores into MAIL_INBOX when it is set', async () => {
    const r = await runCli(
      ['send', '-f', 'me@example.com', '-t', 'you@example.com', '--text', 'x'],
      {
        cwd: dir,
        env: { MAIL_INBOX: 'elsewhere' },
      },
    )
    expect(r.code).toBe(0)
    expect((await readdir(join(dir, 'elsewhere'))).filter((n) => n.endsWith('.eml'))).toHaveLength(
      1,
    )
    expect(existsSync(inbox())).toBe(false)
  })

  it('takes the body from piped stdin when no --text is given', async () => {
    const r = await runCli(
      ['send', '-f', 'me@example.com', '-t', 'you@example.com', '-s', 'Piped'],
      {
        cwd: dir,
        input: 'Line one\nLine two: caf\u00e9\n',
      },
    )
    expect(r.code).toBe(0)
    const parsed = await parseWithPython(await onlyStored())
    expect(parsed.text?.replace(/\r\n/g, '\n')).toBe('Line one\nLine two: caf\u00e9\n')
  })

  it('sends --text-file and --html-file with an --inline image referenced by its CID', async () => {
    const png = randomBytes(3000)
    await writeFile(join(dir, 'logo.png'), png)
    await writeFile(join(dir, 'body.txt'), 'Plain version\n')
    await writeFile(join(dir, 'page.html'), '<p>Hi <img src="cid:logo@example.com"></p>\n')
    const r = await runCli(
      [
        'send',
        '-f',
        'me@example.com',
        '-t',
        'you@example.com',
        '--text-file',
        'body.txt',
        '--html-file',
        'page.html',
        '--inline',
        'logo.png=logo@example.com',
      ],
      { cwd: dir },
    )
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    const parsed = await parseWithPython(await onlyStored())
    expect(parsed.text?.trim()).toBe('Plain version')
    expect(parsed.html).toContain('cid:logo@example.com')
    expect(parsed.attachments).toHaveLength(1)
    expect(parsed.attachments[0]).toMatchObject({
      cid: 'logo@example.com',
      contentType: 'image/png',
    })
    expect(parsed.attachments[0]!.content.equals(png)).toBe(true)
  })

  it('adds each --header, repeated names included', async () => {
    const r = await runCli(
      [
        'send',
        '-f',
        'me@example.com',
        '-t',
        'you@example.com',
        '--text',
        'x',
        '--header',
        'X-Campaign: fall',
        '--header',
        'X-Tag: a',
        '--header',
        'X-Tag: b',
      ],
      { cwd: dir },
    )
    expect(r.code).toBe(0)
    const parsed = await parseWithPython(await onlyStored())
    expect(parsed.headers.filter(([n]) => n.startsWith('X-'))).toEqual([
      ['X-Campaign', 'fall'],
      ['X-Tag', 'a'],
      ['X-Tag', 'b'],
    ])
  })

  it('sends a ready --eml as it is, with the envelope from its headers and Bcc removed', async () => {
    const eml =
      'From: Alice <alice@example.com>\r\nTo: bob@example.org\r\nBcc: eve@example.org\r\n' +
      'Subject: Ready\r\nMessage-ID: <ready-1@example.com>\r\n\r\nPrepared body\r\n'
    await writeFile(join(dir, 'ready.eml'), eml)
    const r = await runCli(['send', '--eml', 'ready.eml', '--json'], { cwd: dir })
    expect(r.code).toBe(0)
    const result = JSON.parse(r.stdout)
    expect(result).toMatchObject({
      messageId: '<ready-1@example.com>',
      envelope: { from: 'alice@example.com', to: ['bob@example.org', 'eve@example.org'] },
      accepted: ['bob@example.org', 'eve@example.org'],
      rejected: [],
    })
    expect((await onlyStored()).toString()).toBe(eml.replace('Bcc: eve@example.org\r\n', ''))
  })

  it('reads a ready message from stdin with --eml - and lets --to replace its recipients', async () => {
    const eml = 'From: alice@example.com\r\nTo: bob@example.org\r\nSubject: Piped\r\n\r\nbody\r\n'
    const r = await runCli(['send', '--eml', '-', '--to', 'carol@example.org', '--json'], {
      cwd: dir,
      input: eml,
    })
    expect(r.code).toBe(0)
    expect(JSON.parse(r.stdout).envelope).toEqual({
      from: 'alice@example.com',
      to: ['carol@example.org'],
    })
    expect((await onlyStored()).toString()).toBe(eml)
  })

  it('prints the built message with --dry-run and sends nothing', async () => {
    const r = await runCli(
      [
        'send',
        '-f',
        'me@example.com',
        '-t',
        'you@example.com',
        '-s',
        'Dry',
        '--text',
        'Not sent',
        '--dry-run',
      ],
      { cwd: dir },
    )
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/^Subject: Dry\r$/m)
    const parsed = await parseWithPython(r.stdout)
    expect(parsed.text?.trim()).toBe('Not sent')
    expect(await storedFiles()).toEqual([])
  })

  it('prints the dry run as JSON with the envelope, bcc included', async () => {
    const r = await runCli(
      [
        'send',
        '-f',
        'me@example.com',
        '-t',
        'you@example.com',
        '--bcc',
        'hidden@example.com',
        '--text',
        'x',
        '--dry-run',
        '--json',
      ],
      { cwd: dir },
    )
    expect(r.code).toBe(0)
    const result = JSON.parse(r.stdout)
    expect(result).toMatchObject({
      dryRun: true,
      envelope: { from: 'me@example.com', to: ['you@example.com', 'hidden@example.com'] },
    })
    expect(result.messageId).toMatch(/^<.+@.+>$/)
    expect(result.raw).not.toMatch(/hidden@example\.com/)
  })

  it('prints a JSON result with --json and nothing else', async () => {
    const r = await runCli(
      [
        'send',
        '-f',
        'me@example.com',
        '-t',
        'a@example.com',
        '--cc',
        'b@example.com',
        '--text',
        'x',
        '--json',
      ],
      {
        cwd: dir,
      },
    )
    expect(r.code).toBe(0)
    expect(r.stderr).toBe('')
    const result = JSON.parse(r.stdout)
    const [file] = await storedFiles()
    expect(result).toEqual({
      messageId: expect.stringMatching(/^<.+@.+>$/),
      envelope: { from: 'me@example.com', to: ['a@example.com', 'b@example.com'] },
      accepted: ['a@example.com', 'b@example.com'],
      rejected: [],
      response: expect.stringMatching(/^250/),
      server: 'inbox',
      stored: [file],
    })
  })
})

describe('mailx send failures', () => {
  const oneLine = (stderr: string) => {
    expect(stderr.trimEnd().split('\n')).toHaveLength(1)
    expect(stderr).not.toMatch(/\n\s+at /)
  }

  it('exits 1 naming a missing attachment', async () => {
    const r = await runCli(
      [
        'send',
        '-f',
        'me@example.com',
        '-t',
        'you@example.com',
        '--text',
        'x',
        '--attach',
        'nope.pdf',
      ],
      { cwd: dir },
    )
    expect(r.code).toBe(1)
    expect(r.stderr).toBe('mailx: file not found: nope.pdf\n')
    expect(await storedFiles()).toEqual([])
  })

  it('exits 1 naming the option of a bad address', async () => {
    const r = await runCli(
      ['send', '-f', 'me@example.com', '-t', 'not an address', '--text', 'x'],
      { cwd: dir },
    )
    expect(r.code).toBe(1)
    oneLine(r.stderr)
    expect(r.stderr).toMatch(/^mailx: bad address in --to/)
  })

  it('exits 1 for a header value that would inject another header field', async () => {
    const r = await runCli(
      [
        'send',
        '-f',
        'me@example.com',
        '-t',
        'you@example.com',
        '--text',
        'x',
        '--header',
        'X-A: b\r\nBcc: victim@example.com',
      ],
      { cwd: dir },
    )
    expect(r.code).toBe(1)
    oneLine(r.stderr)
    expect(r.stderr).toMatch(/^mailx: invalid --header: headers\.X-A/)
    expect(await storedFiles()).toEqual([])
  })

  it('exits 1 naming host:port when the connection is refused', async () => {
    const port = await freePort()
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
        `smtp://127.0.0.1:${port}?security=none`,
      ],
      { cwd: dir },
    )
    expect(r.code).toBe(1)
    expect(r.stderr).toBe(`mailx: connection refused: 127.0.0.1:${port}\n`)
  })

  it('shows the stack trace of a failure with --verbose', async () => {
    const r = await runCli(
      [
        'send',
        '-f',
        'me@example.com',
        '-t',
        'you@example.com',
        '--text-file',
        'gone.txt',
        '--verbose',
      ],
      { cwd: dir },
    )
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/^mailx: file not found: gone.txt\n/)
    expect(r.stderr).toMatch(/\n\s+at /)
  })

  it('exits 1 with a usage line for a missing --from or an unknown option', async () => {
    const noFrom = await runCli(['send', '-t', 'you@example.com', '--text', 'x'], { cwd: dir })
    expect(noFrom.code).toBe(1)
    expect(noFrom.stderr).toBe('mailx: --from is required (see: mailx send --help)\n')
    const unknown = await runCli(['send', '--form', 'x'], { cwd: dir })
    expect(unknown.code).toBe(1)
    oneLine(unknown.stderr)
    expect(unknown.stderr).toMatch(/--form/)
  })

  it('exits 2 and lists the rejected recipient when only some are refused', async () => {
    const server = await startRejectingServer(['nobody@example.com'])
    try {
      const r = await runCli(
        [
          'send',
          '-f',
          'me@example.com',
          '-t',
          'you@example.com',
          '-t',
          'nobody@example.com',
          '--text',
          'x',
          '--smtp',
          `smtp://127.0.0.1:${server.port}?security=none`,
        ],
        { cwd: dir },
      )
      expect(r.code).toBe(2)
      expect(r.stdout).toContain('accepted: you@example.com')
      expect(r.stdout).toMatch(/rejected: nobody@example\.com \(550 5\.1\.1 .*No such user/)
      expect(server.messages).toHaveLength(1)
    } finally {
      await server.stop()
    }
  })

  it('exits 1 listing every recipient when all are refused', async () => {
    const server = await startRejectingServer(['nobody@example.com'])
    try {
      const r = await runCli(
        [
          'send',
          '-f',
          'me@example.com',
          '-t',
          'nobody@example.com',
          '--text',
          'x',
          '--json',
          '--smtp',
          `smtp://127.0.0.1:${server.port}?security=none`,
        ],
        { cwd: dir },
      )
      expect(r.code).toBe(1)
      expect(r.stderr).toMatch(/^mailx: all recipients rejected: nobody@example\.com \(550/)
      expect(JSON.parse(r.stdout).error).toMatch(/all recipients rejected/)
      expect(server.messages).toHaveLength(0)
    } finally {
      await server.stop()
    }
  })
})

describe('mailx send --smtp to a real server with STARTTLS and AUTH (aiosmtpd)', () => {
  it('sends with --ca trusting the server certificate and prints where it went', async () => {
    const server = await startAiosmtpd({
      security: 'starttls',
      requireStarttls: true,
      auth: { user: 'alice', pass: 'p@ss/word' },
    })
    try {
      await writeFile(join(dir, 'ca.pem'), server.ca)
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
        { cwd: dir },
      )
      expect(r.stderr).toBe('')
      expect(r.code).toBe(0)
      expect(r.stdout).toContain(`via 127.0.0.1:${server.port} (--smtp)`)
      const [msg] = await server.waitFor(1)
      expect(msg!.rcptTos).toEqual(['you@example.com'])
      expect((await parseWithPython(msg!.data)).subject).toBe('Over TLS')
      expect(await storedFiles()).toEqual([])
    } finally {
      await server.stop()
    }
  })

  it('takes SMTP_URL and NODE_EXTRA_CA_CERTS from the environment', async () => {
    const server = await startAiosmtpd({
      security: 'starttls',
      auth: { user: 'alice', pass: 'secret' },
    })
    try {
      await writeFile(join(dir, 'ca.pem'), server.ca)
      const r = await runCli(
        ['send', '-f', 'me@example.com', '-t', 'you@example.com', '--text', 'env', '--json'],
        {
          cwd: dir,
          env: {
            SMTP_URL: `smtp://alice:secret@127.0.0.1:${server.port}?security=starttls`,
            NODE_EXTRA_CA_CERTS: join(dir, 'ca.pem'),
          },
        },
      )
      expect(r.code).toBe(0)
      expect(JSON.parse(r.stdout)).toMatchObject({
        server: `127.0.0.1:${server.port}`,
        accepted: ['you@example.com'],
      })
      expect(await server.waitFor(1)).toHaveLength(1)
    } finally {
      await server.stop()
    }
  })

  it('exits 1 naming auth failed with the 535 reply for a wrong password', async () => {
    const server = await startAiosmtpd({
      security: 'starttls',
      auth: { user: 'alice', pass: 'secret' },
    })
    try {
      await writeFile(join(dir, 'ca.pem'), server.ca)
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
        { cwd: dir },
      )
      expect(r.code).toBe(1)
      expect(r.stderr).toMatch(/^mailx: auth failed: 535\b/)
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1)
      expect(r.stderr).not.toContain('wrong')
      expect(await server.received()).toEqual([])
    } finally {
      await server.stop()
    }
  })

  it('prints the SMTP transcript with --verbose, the password redacted', async () => {
    const server = await startAiosmtpd({
      security: 'starttls',
      auth: { user: 'alice', pass: 'hunter2hunter2' },
    })
    try {
      await writeFile(join(dir, 'ca.pem'), server.ca)
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
        { cwd: dir },
      )
      expect(r.code).toBe(0)
      expect(r.stderr).toMatch(/^C: STARTTLS$/m)
      expect(r.stderr).toMatch(/^C: AUTH /m)
      expect(r.stderr).toMatch(/^S: 235/m)
      expect(r.stderr).not.toContain('hunter2hunter2')
      expect(r.stderr).not.toContain(Buffer.from('\0alice\0hunter2hunter2').toString('base64'))
    } finally {
      await server.stop()
    }
  })
})

describe('mailx send --help', () => {
  it('prints the options and examples', async () => {
    const r = await runCli(['send', '--help'], { cwd: dir })
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('Usage: mailx send')
    expect(r.stdout).toContain('--attach PATH')
    expect(r.stdout).toContain('Examples:')
  })
})

describe('mailx send progress', () => {
  function ttyIo(): { io: Io; stderr: () => string; stdout: () => string } {
    let err = ''
    let out = ''
    const stderr = Object.assign(new PassThrough(), { isTTY: true, columns: 120 })
    const stdout = new PassThrough()
    stderr.on('data', (c: Buffer) => {
      err += c.toString()
    })
    stdout.on('data', (c: Buffer) => {
      out += c.toString()
    })
    const stdin = Object.assign(new PassThrough(), { isTTY: true })
    const io: Io = { stdout, stderr, stdin, env: { MAIL_INBOX: join(dir, 'box') }, cwd: dir }
    return { io, stderr: () => err, stdout: () => out }
  }

  it('shows reading and sending on a TTY, then clears the line before the result', async () => {
    await writeFile(join(dir, 'big.bin'), randomBytes(2 * 1024 * 1024))
    const { io, stderr, stdout } = ttyIo()
    const code = await runSend(
      [
        '-f',
        'me@example.com',
        '-t',
        'you@example.com',
        '--text',
        'x',
        '--attach',
        join(dir, 'big.bin'),
      ],
      io,
    )
    expect(code).toBe(0)
    expect(stderr()).toContain('reading big.bin')
    expect(stderr()).toContain('sending')
    expect(stderr().endsWith('\r\x1b[K')).toBe(true)
    expect(stdout()).toMatch(/^Delivered <.+> to the embedded inbox: box\//)
  })

  it('shows nothing on the TTY with --json', async () => {
    const { io, stderr, stdout } = ttyIo()
    const code = await runSend(
      ['-f', 'me@example.com', '-t', 'you@example.com', '--text', 'x', '--json'],
      io,
    )
    expect(code).toBe(0)
    expect(stderr()).toBe('')
    expect(JSON.parse(stdout()).accepted).toEqual(['you@example.com'])
  })
})
