import type { ChildProcess } from 'node:child_process'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { readInbox } from '@mail/inbox'
import {
  finished,
  parseWithPython,
  type RedisServer,
  refusingPort,
  startRedis,
  startScriptedServer,
} from '@mail/testkit'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { type CliResult, runCli, spawnCli } from '../helpers/cli.js'
import { useWorkDir } from '../helpers/workdir.js'

// `mailx enqueue` and `mailx worker` as users run them: child processes of the built CLI, a
// private redis-server, and real SMTP servers (aiosmtpd; a scripted one to hold a reply).

const work = useWorkDir()
let redis: RedisServer
beforeAll(async () => {
  redis = await startRedis()
})
afterAll(async () => {
  await redis?.stop()
})

const workers: ChildProcess[] = []
afterEach(() => {
  for (const w of workers.splice(0))
    if (w.exitCode === null && w.signalCode === null) w.kill('SIGKILL')
})

/** Each test its own queue, so that no test's jobs reach another's worker. */
let queueNumber = 0
const queueName = () => `cli-${process.pid}-${++queueNumber}`

/** `mailx worker --json` on `queue`; its JSON lines one by one. */
function startWorker(queue: string, more: string[] = []) {
  const args = ['worker', '--json', '--redis', redis.url, '--queue', queue, ...more]
  const child = spawnCli(args, { cwd: work.dir() })
  workers.push(child)
  const exit = finished(child)
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]()
  const next = async () => {
    const { value, done } = await lines.next()
    if (done) throw new Error(`worker ended: ${(await exit).stderr}`)
    return JSON.parse(value as string)
  }
  return { child, exit, next }
}

const enqueue = (queue: string, args: string[]) =>
  runCli(['enqueue', '--redis', redis.url, '--queue', queue, ...args], { cwd: work.dir() })

/** The one line printed on stderr, after checking that it is one line and the exit code 1. */
function oneLine(r: CliResult): string {
  expect(r.code).toBe(1)
  expect(r.stdout).toBe('')
  const lines = r.stderr.trimEnd().split('\n')
  expect(lines).toHaveLength(1)
  return lines[0]!
}

describe('mailx enqueue and mailx worker', () => {
  it('queue a message that a worker process delivers, whole, into the local inbox; the same idempotency key gives the same job', async () => {
    const queue = queueName()
    await writeFile(join(work.dir(), 'report.csv'), 'a,b\n1,2\n')
    const message = ['-f', 'News <news@example.com>', '-t', 'reader@example.org']
    const content = [
      '--bcc',
      'audit@example.net',
      '-s',
      'Issue 12',
      '--text',
      'Hello',
      '-a',
      'report.csv',
    ]
    const key = ['--idempotency-key', 'issue-12-reader']
    const first = await enqueue(queue, [...message, ...content, ...key])
    expect(first.stderr).toBe('')
    expect(first.code).toBe(0)
    const id = first.stdout.trim()
    expect(id).toMatch(/^\S+$/)
    const again = await enqueue(queue, [...message, ...content, ...key, '--json'])
    expect(JSON.parse(again.stdout)).toEqual({ id })

    // No --smtp and no SMTP_URL: as `mailx send`, the embedded inbox in .mail/inbox.
    const worker = startWorker(queue)
    const inbox = join(work.dir(), '.mail', 'inbox')
    expect((await worker.next()).started).toEqual({
      queue,
      redis: `127.0.0.1:${redis.port}`,
      smtp: `the embedded inbox ${inbox}`,
    })
    const { job } = await worker.next()
    expect(job).toMatchObject({ id, state: 'sent', attempts: 1 })
    const outcome = (r: { address: string; status: string }) => [r.address, r.status]
    expect(job.recipients.map(outcome)).toEqual([
      ['reader@example.org', 'accepted'],
      ['audit@example.net', 'accepted'],
    ])
    const [stored] = await readInbox(inbox).messages()
    expect(stored?.envelope).toEqual({
      from: 'news@example.com',
      to: ['reader@example.org', 'audit@example.net'],
    })
    const parsed = await parseWithPython(await work.onlyStored())
    expect(parsed.defects).toEqual([])
    expect(parsed).toMatchObject({ subject: 'Issue 12', messageId: job.messageId })
    expect(parsed.text?.trim()).toBe('Hello')
    expect(parsed.headers.map(([name]) => name.toLowerCase())).not.toContain('bcc')
    expect(parsed.attachments.map((a) => [a.filename, a.content.toString()])).toEqual([
      ['report.csv', 'a,b\n1,2\n'],
    ])

    const status = await enqueue(queue, ['--status', id])
    expect(status.code).toBe(0)
    const [head, messageId, ...recipients] = status.stdout.trimEnd().split('\n')
    expect(head).toBe(`job ${id}: sent (1 attempt)`)
    expect(messageId).toBe(`  Message-ID: ${job.messageId}`)
    expect(recipients).toEqual([
      expect.stringMatching(/^ {2}accepted: reader@example\.org \(250 (?!250)/),
      expect.stringMatching(/^ {2}accepted: audit@example\.net \(250 (?!250)/),
    ])

    worker.child.kill('SIGINT')
    expect(await worker.next()).toEqual({ stopped: 'SIGINT', jobs: 1 })
    const exit = await worker.exit
    expect(exit.code).toBe(0)
    expect(exit.stderr).toBe('')
  })

  it('SIGTERM while a message is in the middle of its SMTP transaction: the worker finishes it, then exits 0', async () => {
    let dataArrived!: () => void
    const arrived = new Promise<void>((resolve) => {
      dataArrived = resolve
    })
    let release!: () => void
    const released = new Promise<void>((resolve) => {
      release = resolve
    })
    const commands: string[] = []
    const server = await startScriptedServer(async (c) => {
      c.write('220 scripted ESMTP\r\n')
      for (;;) {
        const line = await c.readLine()
        const verb = line.slice(0, 4).toUpperCase()
        commands.push(verb)
        if (verb === 'QUIT') {
          c.write('221 bye\r\n')
          c.end()
          return
        }
        if (verb === 'DATA') {
          c.write('354 go ahead\r\n')
          await c.readUntil('\r\n.\r\n')
          dataArrived()
          await released
          c.write('250 2.0.0 queued as held\r\n')
        } else c.write(verb === 'EHLO' ? '250 scripted\r\n' : '250 ok\r\n')
      }
    })
    try {
      const queue = queueName()
      const queued = await enqueue(queue, [
        '-f',
        'me@example.com',
        '-t',
        'you@example.com',
        '--text',
        'held',
      ])
      const id = queued.stdout.trim()
      const worker = startWorker(queue, ['--smtp', `smtp://127.0.0.1:${server.port}?security=none`])
      await worker.next() // started
      await arrived
      worker.child.kill('SIGTERM')
      // The worker is now waiting for the reply to the data: it must not exit before it.
      const stopping = worker.next()
      release()
      expect(await stopping).toMatchObject({ job: { id, state: 'sent' } })
      expect(await worker.next()).toEqual({ stopped: 'SIGTERM', jobs: 1 })
      const exit = await worker.exit
      expect(exit.code).toBe(0)
      expect(exit.stderr).toBe('')
      await server.done()
      expect(commands.filter((v) => v === 'DATA')).toHaveLength(1)
      expect(commands.at(-1)).toBe('QUIT')
    } finally {
      await server.stop()
    }
  })
})

describe('mailx enqueue and mailx worker: what goes wrong, in one line', () => {
  it('a worker without a server delivers into the local inbox, where a proxy makes no sense', async () => {
    const r = await runCli(['worker', '--proxy', 'socks5://127.0.0.1:1080'], { cwd: work.dir() })
    expect(oneLine(r)).toBe(
      'mailx: --proxy and --oauth2-* need --smtp or SMTP_URL (see: mailx worker --help)',
    )
  })

  it('a bad address, a Redis that is not there, a job that does not exist', async () => {
    const queue = queueName()
    const bad = await enqueue(queue, [
      '-f',
      'me@example.com',
      '-t',
      'you@@example.com',
      '--text',
      'x',
    ])
    expect(oneLine(bad)).toMatch(/^mailx: bad address in --to: /)
    const closed = await refusingPort()
    try {
      const redisUrl = `redis://127.0.0.1:${closed.port}`
      const message = ['-f', 'me@example.com', '-t', 'you@example.com', '--text', 'x']
      const argv = ['enqueue', '--redis', redisUrl, '--subject', 'a\u0085b', ...message]
      const refused = await runCli(argv, { cwd: work.dir() })
      // The message is refused before Redis is asked.
      expect(oneLine(refused)).toMatch(/^mailx: invalid --subject: /)
      const withPassword = `redis://:secret@127.0.0.1:${closed.port}`
      const r = await runCli(['enqueue', '--redis', withPassword, ...message], { cwd: work.dir() })
      expect(oneLine(r)).toBe(
        `mailx: cannot reach Redis at 127.0.0.1:${closed.port}: connection refused (start redis-server, or give --redis URL)`,
      )
    } finally {
      await closed.release()
    }
    const status = await enqueue(queue, ['--status', 'no-such-job'])
    expect(oneLine(status)).toBe(
      `mailx: no job "no-such-job" on queue ${queue} at 127.0.0.1:${redis.port}`,
    )
  })
})
