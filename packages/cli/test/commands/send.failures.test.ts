import { refusingPort, startRejectingServer } from '@mail/testkit'
import { describe, expect, it } from 'vitest'
import { runCli } from '../helpers/cli.js'
import { useWorkDir } from '../helpers/workdir.js'

const work = useWorkDir()

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
      { cwd: work.dir() },
    )
    expect(r.code).toBe(1)
    expect(r.stderr).toBe('mailx: file not found: nope.pdf\n')
    expect(await work.storedFiles()).toEqual([])
  })

  it('exits 1 naming the option of a bad address', async () => {
    const r = await runCli(
      ['send', '-f', 'me@example.com', '-t', 'not an address', '--text', 'x'],
      { cwd: work.dir() },
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
      { cwd: work.dir() },
    )
    expect(r.code).toBe(1)
    oneLine(r.stderr)
    expect(r.stderr).toMatch(/^mailx: invalid --header: headers\.X-A/)
    expect(await work.storedFiles()).toEqual([])
  })

  it('exits 1 naming host:port when the connection is refused', async () => {
    const closed = await refusingPort()
    const port = closed.port
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
      { cwd: work.dir() },
    )
    await closed.release()
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
      { cwd: work.dir() },
    )
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/^mailx: file not found: gone.txt\n/)
    expect(r.stderr).toMatch(/\n\s+at /)
  })

  it('exits 1 with a usage line for a missing --from or an unknown option', async () => {
    const noFrom = await runCli(['send', '-t', 'you@example.com', '--text', 'x'], {
      cwd: work.dir(),
    })
    expect(noFrom.code).toBe(1)
    expect(noFrom.stderr).toBe('mailx: --from is required (see: mailx send --help)\n')
    const unknown = await runCli(['send', '--form', 'x'], { cwd: work.dir() })
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
        { cwd: work.dir() },
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
        { cwd: work.dir() },
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
