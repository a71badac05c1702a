import { randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { readdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { parseWithMailparser, parseWithPython } from '@mail/testkit'
import { describe, expect, it } from 'vitest'
import { runCli } from '../helpers/cli.js'
import { useWorkDir } from '../helpers/workdir.js'

const work = useWorkDir()

describe('mailx send into the embedded inbox', () => {
  it('runs the README command: a message with an attachment, stored as .eml, path printed', async () => {
    const attachment = randomBytes(70_000)
    await writeFile(join(work.dir(), 'README.md'), attachment)
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
      { cwd: work.dir() },
    )
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    const [file] = await work.storedFiles()
    expect(file).toMatch(/\/\.mail\/inbox\/\d{8}T\d{9}Z-[0-9a-f]{6}\.eml$/)
    expect(r.stdout).toContain(`embedded inbox: .mail/inbox/${file!.split('/').pop()}`)
    expect(r.stdout).toContain('accepted: you@example.com')
    const parsed = await parseWithPython(await work.onlyStored())
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
        cwd: work.dir(),
        env: { MAIL_INBOX: 'elsewhere' },
      },
    )
    expect(r.code).toBe(0)
    expect(
      (await readdir(join(work.dir(), 'elsewhere'))).filter((n) => n.endsWith('.eml')),
    ).toHaveLength(1)
    expect(existsSync(join(work.dir(), '.mail'))).toBe(false)
  })

  it('takes the body from piped stdin when no --text is given', async () => {
    const r = await runCli(
      ['send', '-f', 'me@example.com', '-t', 'you@example.com', '-s', 'Piped'],
      {
        cwd: work.dir(),
        input: 'Line one\nLine two: caf\u00e9\n',
      },
    )
    expect(r.code).toBe(0)
    const parsed = await parseWithPython(await work.onlyStored())
    expect(parsed.text?.replace(/\r\n/g, '\n')).toBe('Line one\nLine two: caf\u00e9\n')
  })

  it('sends --text-file and --html-file with an --inline image referenced by its CID', async () => {
    const png = randomBytes(3000)
    await writeFile(join(work.dir(), 'logo.png'), png)
    await writeFile(join(work.dir(), 'body.txt'), 'Plain version\n')
    await writeFile(join(work.dir(), 'page.html'), '<p>Hi <img src="cid:logo@example.com"></p>\n')
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
      { cwd: work.dir() },
    )
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    const parsed = await parseWithPython(await work.onlyStored())
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
      { cwd: work.dir() },
    )
    expect(r.code).toBe(0)
    const parsed = await parseWithPython(await work.onlyStored())
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
    await writeFile(join(work.dir(), 'ready.eml'), eml)
    const r = await runCli(['send', '--eml', 'ready.eml', '--json'], { cwd: work.dir() })
    expect(r.code).toBe(0)
    const result = JSON.parse(r.stdout)
    expect(result).toMatchObject({
      messageId: '<ready-1@example.com>',
      envelope: { from: 'alice@example.com', to: ['bob@example.org', 'eve@example.org'] },
      accepted: ['bob@example.org', 'eve@example.org'],
      rejected: [],
    })
    expect((await work.onlyStored()).toString()).toBe(eml.replace('Bcc: eve@example.org\r\n', ''))
  })

  it('reads a ready message from stdin with --eml - and lets --to replace its recipients', async () => {
    const eml = 'From: alice@example.com\r\nTo: bob@example.org\r\nSubject: Piped\r\n\r\nbody\r\n'
    const r = await runCli(['send', '--eml', '-', '--to', 'carol@example.org', '--json'], {
      cwd: work.dir(),
      input: eml,
    })
    expect(r.code).toBe(0)
    expect(JSON.parse(r.stdout).envelope).toEqual({
      from: 'alice@example.com',
      to: ['carol@example.org'],
    })
    expect((await work.onlyStored()).toString()).toBe(eml)
  })

  it('sends to a UTF-8 address with --smtputf8, and refuses it without, naming the option', async () => {
    const base = ['send', '-f', 'me@example.com', '-t', 'j\u00f6rg@example.de', '--text', 'x']
    const refused = await runCli(base, { cwd: work.dir() })
    expect(refused.code).toBe(1)
    expect(refused.stderr).toMatch(/^mailx: bad address in --to: .*SMTPUTF8/)
    const r = await runCli([...base, '--smtputf8', '--json'], { cwd: work.dir() })
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    expect(JSON.parse(r.stdout).accepted).toEqual(['j\u00f6rg@example.de'])
    // RFC 6532: the header carries the address as raw UTF-8 (Python's bytes parser would not
    // decode it, so mailparser reads it here).
    const raw = await work.onlyStored()
    expect(raw.toString('utf8')).toMatch(/^To: j\u00f6rg@example\.de\r$/m)
    expect((await parseWithMailparser(raw)).to).toEqual([
      { name: '', address: 'j\u00f6rg@example.de' },
    ])
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
      { cwd: work.dir() },
    )
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/^Subject: Dry\r$/m)
    const parsed = await parseWithPython(r.stdout)
    expect(parsed.text?.trim()).toBe('Not sent')
    expect(await work.storedFiles()).toEqual([])
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
      { cwd: work.dir() },
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
        cwd: work.dir(),
      },
    )
    expect(r.code).toBe(0)
    expect(r.stderr).toBe('')
    const result = JSON.parse(r.stdout)
    const [file] = await work.storedFiles()
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

describe('mailx send --help', () => {
  it('prints the options and examples', async () => {
    const r = await runCli(['send', '--help'], { cwd: work.dir() })
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('Usage: mailx send')
    expect(r.stdout).toContain('--attach PATH')
    expect(r.stdout).toContain('Examples:')
  })
})
