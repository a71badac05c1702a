import { randomBytes } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PassThrough, Readable } from 'node:stream'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { parseSendArgs } from '../src/args.js'
import { bodyFromStdin, messageFromArgs, readInputFile } from '../src/message.js'
import { createProgress, type Io, type Progress } from '../src/output.js'

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mailx-message-'))
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

const silent: Progress = { active: false, update() {}, done() {} }

function io(stdin: NodeJS.ReadableStream & { isTTY?: boolean }): Io {
  return { stdout: new PassThrough(), stderr: new PassThrough(), stdin, env: {}, cwd: dir }
}

describe('readInputFile', () => {
  it('reads a large file whole and reports the percentage read on a TTY', async () => {
    const bytes = randomBytes(3 * 1024 * 1024 + 17)
    const path = join(dir, 'big.bin')
    await writeFile(path, bytes)
    const stderr = Object.assign(new PassThrough(), { isTTY: true })
    let shown = ''
    stderr.on('data', (c: Buffer) => {
      shown += c.toString()
    })
    const progress = createProgress(
      { ...io(new PassThrough()), stderr },
      { enabled: true, intervalMs: 0 },
    )
    expect((await readInputFile(path, progress)).equals(bytes)).toBe(true)
    expect(shown).toContain('reading big.bin 33% (1.0 MB of 3.0 MB)')
    expect(shown).toContain('reading big.bin 100% (3.0 MB of 3.0 MB)')
  })

  it('names a missing file by the path given', async () => {
    await expect(readInputFile('missing/file.txt', silent)).rejects.toThrow(
      'file not found: missing/file.txt',
    )
  })

  it('refuses a directory with a clear line', async () => {
    await expect(readInputFile(dir, silent)).rejects.toThrow(`is a directory, not a file: ${dir}`)
  })
})

describe('messageFromArgs', () => {
  it('assembles addresses, body, attachments, inline parts and grouped headers', async () => {
    await writeFile(join(dir, 'a.txt'), 'attached')
    await writeFile(join(dir, 'logo.png'), Buffer.from([137, 80, 78, 71]))
    const args = parseSendArgs([
      '--from',
      'me@example.com',
      '--to',
      'you@example.com',
      '--bcc',
      'b@example.com',
      '--subject',
      'S',
      '--text',
      'T',
      '--attach',
      join(dir, 'a.txt'),
      '--inline',
      `${join(dir, 'logo.png')}=logo`,
      '--header',
      'X-A: 1',
      '--header',
      'X-A: 2',
      '--header',
      'X-B: 3',
    ])
    const input = await messageFromArgs(args, io(new PassThrough()), silent)
    expect(input).toEqual({
      from: 'me@example.com',
      to: ['you@example.com'],
      bcc: ['b@example.com'],
      subject: 'S',
      text: 'T',
      attachments: [
        { filename: 'a.txt', content: expect.any(Blob) },
        {
          filename: 'logo.png',
          content: expect.any(Blob),
          cid: 'logo',
          disposition: 'inline',
        },
      ],
      headers: { 'X-A': ['1', '2'], 'X-B': '3' },
    })
    // Files are attached as Blobs, read only when the message is sent.
    const [attached, inline] = (input.attachments ?? []).map((a) => a.content as Blob)
    expect(Buffer.from(await attached!.arrayBuffer())).toEqual(Buffer.from('attached'))
    expect(Buffer.from(await inline!.arrayBuffer())).toEqual(Buffer.from([137, 80, 78, 71]))
  })

  it('names the path of an attachment that is missing or a directory', async () => {
    const args = (path: string) =>
      parseSendArgs([
        '-f',
        'me@example.com',
        '-t',
        'you@example.com',
        '--text',
        'x',
        '--attach',
        path,
      ])
    await expect(
      messageFromArgs(args(join(dir, 'missing.pdf')), io(new PassThrough()), silent),
    ).rejects.toThrow(`file not found: ${join(dir, 'missing.pdf')}`)
    await expect(messageFromArgs(args(dir), io(new PassThrough()), silent)).rejects.toThrow(
      `is a directory, not a file: ${dir}`,
    )
  })

  it('reads the body from a piped stdin, and never from a TTY', async () => {
    const args = parseSendArgs(['--from', 'me@example.com', '--to', 'you@example.com'])
    const piped = await messageFromArgs(
      args,
      io(Readable.from([Buffer.from('from a pipe\n')])),
      silent,
    )
    expect(piped.text).toBe('from a pipe\n')
    const tty = Object.assign(new PassThrough(), { isTTY: true })
    expect(bodyFromStdin(args, io(tty))).toBe(false)
  })

  it('requires --from, and a recipient unless it is a dry run', async () => {
    await expect(
      messageFromArgs(parseSendArgs(['--to', 'a@example.com']), io(new PassThrough()), silent),
    ).rejects.toThrow('--from is required')
    await expect(
      messageFromArgs(
        parseSendArgs(['--from', 'a@example.com', '--text', 'x']),
        io(new PassThrough()),
        silent,
      ),
    ).rejects.toThrow('at least one --to, --cc or --bcc')
    const dry = parseSendArgs(['--from', 'a@example.com', '--text', 'x', '--dry-run'])
    expect(await messageFromArgs(dry, io(new PassThrough()), silent)).toEqual({
      from: 'a@example.com',
      text: 'x',
    })
  })
})
