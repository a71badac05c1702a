import { randomBytes } from 'node:crypto'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { PassThrough } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { runSend } from '../../src/commands/send.js'
import type { Io } from '../../src/output.js'
import { useWorkDir } from '../helpers/workdir.js'

const work = useWorkDir()

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
    const io: Io = {
      stdout,
      stderr,
      stdin,
      env: { MAIL_INBOX: join(work.dir(), 'box') },
      cwd: work.dir(),
    }
    return { io, stderr: () => err, stdout: () => out }
  }

  const send = (io: Io, file: string, ...more: string[]) =>
    runSend(
      ['-f', 'me@example.com', '-t', 'you@example.com', '--text', 'x', '--attach', file, ...more],
      io,
    )

  it('shows a bar while a large message is sent, then clears it', async () => {
    // 6 MiB attached: an 8 MiB message, read from the file while it is sent.
    await writeFile(join(work.dir(), 'big.bin'), randomBytes(6 * 1024 * 1024))
    const { io, stderr, stdout } = ttyIo()
    expect(await send(io, join(work.dir(), 'big.bin'))).toBe(0)
    const lines = stderr().split('\r\x1b[K')
    const bars = lines.filter((l) => l.startsWith('sending ['))
    expect(bars.length).toBeGreaterThan(0)
    // The last report is always drawn: the whole message, of its size.
    expect(bars.at(-1)).toMatch(/^sending \[#{20}\] 100% (\d+\.\d) MB of \1 MB/)
    expect(stderr().endsWith('\r\x1b[K')).toBe(true)
    expect(stdout()).toMatch(/^Delivered <.+> to the embedded inbox: box\//)
  })

  it('shows no bar for a message of less than a few MB', async () => {
    await writeFile(join(work.dir(), 'small.bin'), randomBytes(1024 * 1024))
    const { io, stderr } = ttyIo()
    expect(await send(io, join(work.dir(), 'small.bin'))).toBe(0)
    expect(stderr()).toContain('sending')
    expect(stderr()).not.toContain('sending [')
  })

  it('shows no bar with --json, even for a large message on a TTY', async () => {
    await writeFile(join(work.dir(), 'big.bin'), randomBytes(6 * 1024 * 1024))
    const { io, stderr, stdout } = ttyIo()
    expect(await send(io, join(work.dir(), 'big.bin'), '--json')).toBe(0)
    expect(stderr()).toBe('')
    expect(JSON.parse(stdout()).accepted).toEqual(['you@example.com'])
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
