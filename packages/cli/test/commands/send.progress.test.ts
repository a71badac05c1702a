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

  it('shows reading and sending on a TTY, then clears the line before the result', async () => {
    await writeFile(join(work.dir(), 'big.bin'), randomBytes(2 * 1024 * 1024))
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
        join(work.dir(), 'big.bin'),
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
