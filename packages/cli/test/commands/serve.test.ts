import type { ChildProcess } from 'node:child_process'
import { readdir, readFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import type { InboxMessage } from '@mail/inbox'
import { finished, parseWithPython, RawClient } from '@mail/testkit'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { runCli, spawnCli, tempDir } from '../helpers/cli.js'

let dir: string
let cleanup: () => Promise<void>
let child: ChildProcess | undefined
beforeEach(async () => {
  ;({ dir, cleanup } = await tempDir())
})
afterEach(async () => {
  if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  child = undefined
  await cleanup()
})

/** Starts `mailx serve --json` (its web page on any free port) and returns its JSON lines. */
function serve(args: string[]) {
  child = spawnCli(['serve', '--json', '--http-port', '0', ...args], {
    cwd: dir,
    env: { MAIL_INBOX: 'box' },
  })
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]()
  const next = async () => {
    const { value, done } = await lines.next()
    if (done) throw new Error('serve ended')
    return JSON.parse(value as string)
  }
  return { child, next }
}

describe('mailx serve', () => {
  it('stores what another program sends and stops cleanly on Ctrl-C (SIGINT)', async () => {
    const { child: server, next } = serve(['--port', '0'])
    const exit = finished(server)
    const { listening } = await next()
    expect(listening).toMatchObject({ host: '127.0.0.1', inbox: `${dir}/box` })
    const sent = await runCli(
      [
        'send',
        '-f',
        'me@example.com',
        '-t',
        'you@example.com',
        '-t',
        'them@example.com',
        '-s',
        'Via serve',
        '--text',
        'hi',
        '--smtp',
        `smtp://127.0.0.1:${listening.port}?security=none`,
      ],
      { cwd: dir },
    )
    expect(sent.stderr).toBe('')
    expect(sent.code).toBe(0)
    const { received } = await next()
    expect(received.envelope).toEqual({
      from: 'me@example.com',
      to: ['you@example.com', 'them@example.com'],
    })
    expect(received.path).toMatch(new RegExp(`^${dir}/box/\\d{8}T\\d{9}Z-[0-9a-f]{6}\\.eml$`))
    expect((await parseWithPython(await readFile(received.path))).subject).toBe('Via serve')
    server.kill('SIGINT')
    expect(await next()).toEqual({ stopped: 'SIGINT' })
    const result = await exit
    expect(result.code).toBe(0)
    expect(result.stderr).toBe('')
  })

  it('accepts any AUTH credentials and stops on SIGTERM', async () => {
    const { child: server, next } = serve(['--port', '0', '--host', '127.0.0.1'])
    const exit = finished(server)
    const { listening } = await next()
    const sent = await runCli(
      [
        'send',
        '-f',
        'me@example.com',
        '-t',
        'you@example.com',
        '--text',
        'x',
        '--smtp',
        `smtp://dev:anything@127.0.0.1:${listening.port}`,
      ],
      { cwd: dir },
    )
    expect(sent.code).toBe(0)
    expect((await next()).received.envelope.to).toEqual(['you@example.com'])
    server.kill('SIGTERM')
    expect((await exit).code).toBe(0)
  })

  it('prints the SMTP and web addresses, and the web API lists what was sent', async () => {
    child = spawnCli(['serve', '--smtp-port', '0', '--http-port', '0'], {
      cwd: dir,
      env: { MAIL_INBOX: 'box' },
    })
    const exit = finished(child)
    const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]()
    const smtp = (await lines.next()).value as string
    const web = (await lines.next()).value as string
    expect(smtp).toMatch(/^SMTP smtp:\/\/127\.0\.0\.1:\d+$/)
    expect(web).toMatch(/^Web http:\/\/127\.0\.0\.1:\d+$/)
    expect((await lines.next()).value).toBe(`Storing messages in ${dir}/box (Ctrl-C to stop)`)
    const sent = await runCli(
      [
        'send',
        '-f',
        'me@example.com',
        '-t',
        'you@example.com',
        '-s',
        'Seen on the web',
        '--text',
        'x',
        '--smtp',
        smtp.slice(5),
      ],
      { cwd: dir },
    )
    expect(sent.code).toBe(0)
    expect((await lines.next()).value).toMatch(
      /^received .*box\/.*\.eml from <me@example\.com> to <you@example\.com>$/,
    )
    const listed = (await (await fetch(`${web.slice(4)}/api/messages`)).json()) as InboxMessage[]
    expect(listed.map((m) => m.subject)).toEqual(['Seen on the web'])
    child.kill('SIGINT')
    expect((await exit).code).toBe(0)
  })

  it('refuses messages over --max-message-size with 552 and clients past --max-connections', async () => {
    const { next } = serve(['--port', '0', '--max-message-size', '1KB', '--max-connections', '1'])
    const { listening } = await next()
    const first = await RawClient.open(listening.port)
    expect(await first.reply()).toMatch(/^220 /)
    const second = await RawClient.open(listening.port)
    expect(await second.reply()).toMatch(/^421 /)
    expect(await first.command('EHLO client.example')).toMatch(/^250[ -]SIZE 1024\r$/m)
    expect(await first.command('MAIL FROM:<me@example.com> SIZE=1025')).toMatch(/^552 /)
    first.close()
    second.close()
    expect(await readdir(join(dir, 'box')).catch(() => [])).toEqual([])
  })

  it('exits 1 naming the port when it is already in use', async () => {
    const blocker = createServer()
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve))
    const { port } = blocker.address() as { port: number }
    try {
      const r = await runCli(['serve', '--port', String(port), '--http-port', '0'], { cwd: dir })
      expect(r.code).toBe(1)
      expect(r.stderr).toBe(`mailx: port already in use: 127.0.0.1:${port}\n`)
    } finally {
      await new Promise<void>((resolve) => blocker.close(() => resolve()))
    }
  })

  it('prints help with examples', async () => {
    const r = await runCli(['serve', '--help'], { cwd: dir })
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('--port PORT')
    expect(r.stdout).toContain('Examples:')
  })
})
