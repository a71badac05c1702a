import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { attachmentPartLines } from '@mail/testkit'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { runCli, tempDir } from '../helpers/cli.js'

let dir: string
let cleanup: () => Promise<void>
beforeEach(async () => {
  ;({ dir, cleanup } = await tempDir())
})
afterEach(async () => {
  await cleanup()
})

const FIRST = [
  'From: Alice <alice@example.com>',
  'To: bob@example.org',
  'Subject: First',
  'Date: Sat, 28 Nov 2026 20:10:50 +0000',
  'MIME-Version: 1.0',
  'Content-Type: text/plain; charset=utf-8',
  '',
  'Hello Bob',
  '',
].join('\r\n')

const SECOND = [
  'From: carol@example.com',
  'To: Dave <dave@example.org>, erin@example.org',
  'Subject: =?utf-8?q?Caf=C3=A9?= with files',
  'Date: Sat, 28 Nov 2026 21:00:00 +0000',
  'MIME-Version: 1.0',
  'Content-Type: multipart/mixed; boundary="b1"',
  '',
  '--b1',
  'Content-Type: text/plain; charset=utf-8',
  '',
  'See attached.',
  ...attachmentPartLines('b1'),
].join('\r\n')

async function fillInbox() {
  const box = join(dir, '.mail', 'inbox')
  await mkdir(box, { recursive: true })
  await writeFile(join(box, '20261128T201050000Z-aaaaaa.eml'), FIRST)
  await writeFile(join(box, '20261128T210000000Z-bbbbbb.eml'), SECOND)
}

describe('mailx inbox', () => {
  it('lists messages with date, from, to, subject, size and attachment count as JSON', async () => {
    await fillInbox()
    const r = await runCli(['inbox', '--json'], { cwd: dir })
    expect(r.code).toBe(0)
    expect(JSON.parse(r.stdout)).toEqual([
      {
        index: 1,
        file: '20261128T201050000Z-aaaaaa.eml',
        date: '2026-11-28T20:10:50.000Z',
        from: '"Alice" <alice@example.com>',
        to: 'bob@example.org',
        subject: 'First',
        size: Buffer.byteLength(FIRST),
        attachments: 0,
      },
      {
        index: 2,
        file: '20261128T210000000Z-bbbbbb.eml',
        date: '2026-11-28T21:00:00.000Z',
        from: 'carol@example.com',
        to: '"Dave" <dave@example.org>, erin@example.org',
        subject: 'Caf\u00e9 with files',
        size: Buffer.byteLength(SECOND),
        attachments: 2,
      },
    ])
  })

  it('lists messages as a table, one line each', async () => {
    await fillInbox()
    const r = await runCli(['inbox'], { cwd: dir })
    expect(r.code).toBe(0)
    const lines = r.stdout.trimEnd().split('\n')
    expect(lines).toHaveLength(3)
    expect(lines[0]).toMatch(/^#\s+Date\s+From\s+To\s+Subject\s+Size\s+Att\s+File$/)
    expect(lines[1]).toMatch(
      /^1 .*alice@example\.com.*bob@example\.org.*First.*\s0\s+20261128T201050000Z-aaaaaa\.eml$/,
    )
    expect(lines[2]).toMatch(
      /^2 .*carol@example\.com.*Caf\u00e9 with files.*\s2\s+20261128T210000000Z-bbbbbb\.eml$/,
    )
  })

  it('says so when the inbox is empty', async () => {
    const r = await runCli(['inbox'], { cwd: dir })
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/^No messages in .*\.mail\/inbox\n$/)
  })

  it('shows one message by number: headers, text body and attachment list', async () => {
    await fillInbox()
    const r = await runCli(['inbox', 'show', '2'], { cwd: dir })
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('From: carol@example.com\n')
    // Issue 18: header fields are shown decoded (the file keeps =?utf-8?q?Caf=C3=A9?=).
    expect(r.stdout).toContain('Subject: Caf\u00e9 with files\n')
    expect(r.stdout).toContain('\n\nSee attached.\n')
    expect(r.stdout).toMatch(
      /Attachments \(2\):\n {2}report\.pdf {2}application\/pdf {2}13 B {2}\(attachment\)\n {2}logo\.png {2}image\/png {2}9 B {2}\(inline, cid:logo@example\.com\)\n$/,
    )
  })

  it('shows one message by a file name prefix, as JSON', async () => {
    await fillInbox()
    const r = await runCli(['inbox', 'show', '20261128T2010', '--json'], { cwd: dir })
    expect(r.code).toBe(0)
    const shown = JSON.parse(r.stdout)
    expect(shown.file).toMatch(/20261128T201050000Z-aaaaaa\.eml$/)
    expect(shown.headers).toContainEqual(['Subject', 'First'])
    expect(shown.text.trim()).toBe('Hello Bob')
    expect(shown.attachments).toEqual([])
  })

  it('never passes terminal escape sequences from a message to the terminal', async () => {
    const box = join(dir, '.mail', 'inbox')
    await mkdir(box, { recursive: true })
    const evil =
      'From: a@example.com\r\nSubject: hi\x1b]0;owned\x07\r\n\r\nbody \x1b[2J cleared\r\n'
    await writeFile(join(box, '20261128T201050000Z-cccccc.eml'), evil)
    for (const args of [['inbox'], ['inbox', 'show', '1']]) {
      const r = await runCli(args, { cwd: dir })
      expect(r.code).toBe(0)
      expect(r.stdout).not.toContain('\x1b')
      expect(r.stdout).toContain('\\x1b')
    }
  })

  it('exits 1 with one line for an unknown or ambiguous ID', async () => {
    await fillInbox()
    const missing = await runCli(['inbox', 'show', '7'], { cwd: dir })
    expect(missing.code).toBe(1)
    expect(missing.stderr).toMatch(/^mailx: no message "7" in .*\n$/)
    const ambiguous = await runCli(['inbox', 'show', '2026'], { cwd: dir })
    expect(ambiguous.code).toBe(1)
    expect(ambiguous.stderr).toBe('mailx: ambiguous message id "2026": matches 2 messages\n')
  })

  it('reads what send stored', async () => {
    const sent = await runCli(
      [
        'send',
        '-f',
        'me@example.com',
        '-t',
        'you@example.com',
        '-s',
        'Round trip',
        '--text',
        'body',
      ],
      { cwd: dir },
    )
    expect(sent.code).toBe(0)
    const r = await runCli(['inbox', 'show', '1'], { cwd: dir })
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('Subject: Round trip\n')
    expect(r.stdout).toMatch(/\n\nbody\n$/)
  })

  it('shows the envelope stored beside the message, Bcc recipients included', async () => {
    const sent = await runCli(
      [
        'send',
        '-f',
        'me@example.com',
        '-t',
        'you@example.com',
        '--bcc',
        'audit@example.com',
        '-s',
        'Hi',
        '--text',
        'x',
      ],
      { cwd: dir },
    )
    expect(sent.code).toBe(0)
    const r = await runCli(['inbox', 'show', '1'], { cwd: dir })
    expect(r.stdout).toMatch(
      /^File: .*\.eml\nEnvelope: from <me@example\.com> to <you@example\.com>, <audit@example\.com>\n/,
    )
    expect(r.stdout).not.toMatch(/^Bcc:/m)
    const json = JSON.parse((await runCli(['inbox', 'show', '1', '--json'], { cwd: dir })).stdout)
    expect(json.envelope).toEqual({
      from: 'me@example.com',
      to: ['you@example.com', 'audit@example.com'],
    })
  })

  it('shows an HTML-only body as text', async () => {
    const box = join(dir, '.mail', 'inbox')
    await mkdir(box, { recursive: true })
    const html = [
      'From: a@example.com',
      'Subject: Newsletter',
      'Content-Type: text/html; charset=utf-8',
      '',
      '<html><head><style>p { color: red }</style></head><body><h1>News</h1><p>Caf&eacute; opens <b>Monday</b>.</p><script>x()</script></body></html>',
      '',
    ].join('\r\n')
    await writeFile(join(box, '20261128T201050000Z-dddddd.eml'), html)
    const r = await runCli(['inbox', 'show', '1'], { cwd: dir })
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('\n\n(HTML body shown as text)\n\n')
    expect(r.stdout).toContain('NEWS')
    expect(r.stdout).toContain('Caf\u00e9 opens Monday.')
    expect(r.stdout).not.toMatch(/<p>|color: red|x\(\)/)
  })

  it('saves the attachments with --save-attachments, never outside DIR nor over a file', async () => {
    await fillInbox()
    const box = join(dir, '.mail', 'inbox')
    const evil = SECOND.replace('filename="report.pdf"', 'filename="../../.profile"')
    await writeFile(join(box, '20261128T220000000Z-eeeeee.eml'), evil)
    const out = join(dir, 'saved')
    const first = await runCli(['inbox', 'show', '2', '--save-attachments', out], { cwd: dir })
    expect(first.code).toBe(0)
    expect(first.stdout).toContain(
      `\nSaved 2 attachments:\n  ${out}/report.pdf\n  ${out}/logo.png\n`,
    )
    expect(await readFile(join(out, 'report.pdf'), 'utf8')).toBe('%PDF-1.4 test')
    expect(await readFile(join(out, 'logo.png'), 'utf8')).toBe('png bytes')
    const again = await runCli(['inbox', 'show', '2', '--save-attachments', out, '--json'], {
      cwd: dir,
    })
    expect(JSON.parse(again.stdout).saved).toEqual([
      join(out, 'report (2).pdf'),
      join(out, 'logo (2).png'),
    ])
    await runCli(['inbox', 'show', '3', '--save-attachments', out], { cwd: dir })
    expect((await readdir(out)).sort()).toEqual([
      'attachment-1.profile',
      'logo (2).png',
      'logo (3).png',
      'logo.png',
      'report (2).pdf',
      'report.pdf',
    ])
    expect(await readdir(dir)).not.toContain('.profile')
  })

  it('shows bidi controls and line separators in a message as escapes', async () => {
    const box = join(dir, '.mail', 'inbox')
    await mkdir(box, { recursive: true })
    const spoof =
      'From: a@example.com\r\nSubject: invoice\u202Efdp.exe\u2028x\r\n\r\nbody \u2066x\u2069\r\n'
    await writeFile(join(box, '20261128T201050000Z-ffffff.eml'), spoof)
    for (const args of [['inbox'], ['inbox', 'show', '1']]) {
      const r = await runCli(args, { cwd: dir })
      expect(r.code).toBe(0)
      expect(r.stdout).not.toMatch(/[\u202a-\u202e\u2066-\u2069\u2028]/)
      expect(r.stdout).toContain('invoice\\u202efdp.exe')
    }
  })

  it('prints help with examples', async () => {
    const r = await runCli(['inbox', '--help'], { cwd: dir })
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('mailx inbox show ID')
    expect(r.stdout).toContain('Examples:')
  })
})
