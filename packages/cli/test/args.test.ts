import { DEFAULT_HTTP_PORT, DEFAULT_SMTP_PORT } from '@mail/inbox'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  DEFAULT_REDIS,
  parseDuration,
  parseEnqueueArgs,
  parseHeader,
  parseInboxArgs,
  parseInline,
  parseRate,
  parseSendArgs,
  parseServeArgs,
  parseSize,
  parseWorkerArgs,
} from '../src/args.js'
import { UsageError } from '../src/output.js'

describe('parseSendArgs', () => {
  it('collects repeatable recipients, attachments, inline parts and headers in order', () => {
    const args = parseSendArgs([
      '--from',
      'me@example.com',
      '--to',
      'a@example.com',
      '-t',
      'b@example.com',
      '--cc',
      'c@example.com',
      '--bcc',
      'd@example.com',
      '--subject',
      'Hi',
      '--text',
      'Body',
      '--attach',
      'a.pdf',
      '-a',
      'b.png',
      '--inline',
      'logo.png=logo@x',
      '--header',
      'X-One: 1',
      '--header',
      'X-Two:2',
      '--dry-run',
      '--smtputf8',
      '--json',
    ])
    expect(args).toMatchObject({
      from: 'me@example.com',
      to: ['a@example.com', 'b@example.com'],
      cc: ['c@example.com'],
      bcc: ['d@example.com'],
      subject: 'Hi',
      text: 'Body',
      attach: ['a.pdf', 'b.png'],
      inline: [{ path: 'logo.png', cid: 'logo@x' }],
      headers: [
        { name: 'X-One', value: '1' },
        { name: 'X-Two', value: '2' },
      ],
      dryRun: true,
      smtputf8: true,
      json: true,
      verbose: false,
    })
  })

  it('leaves options that were not given absent rather than undefined', () => {
    const args = parseSendArgs(['--from', 'me@example.com'])
    expect('subject' in args).toBe(false)
    expect('smtp' in args).toBe(false)
    expect(args.to).toEqual([])
  })

  it('rejects an unknown option with a pointer to send --help', () => {
    expect(() => parseSendArgs(['--frm', 'x'])).toThrow(UsageError)
    expect(() => parseSendArgs(['--frm', 'x'])).toThrow(/mailx send --help/)
  })

  it('names the flag an unknown one most likely meant, and the habits of other mail tools', () => {
    expect(() => parseSendArgs(['--html', 'a.html'])).toThrow(
      'unknown option --html: did you mean --html-file? (see: mailx send --help)',
    )
    expect(() => parseSendArgs(['--body', 'Hi'])).toThrow('did you mean --text?')
    expect(() => parseSendArgs(['--port', '587'])).toThrow('did you mean --smtp smtp://HOST:PORT?')
  })

  it('rejects a stray positional argument', () => {
    expect(() => parseSendArgs(['hello'])).toThrow(/unexpected argument "hello"/)
  })

  it('refuses --text together with --text-file', () => {
    expect(() => parseSendArgs(['--text', 'a', '--text-file', 'b'])).toThrow(/either --text/)
  })
})

describe('parseInline', () => {
  it('splits at the last equals sign so paths may contain one', () => {
    expect(parseInline('a=b.png=img1')).toEqual({ path: 'a=b.png', cid: 'img1' })
  })

  it('drops angle brackets around the Content-ID', () => {
    expect(parseInline('logo.png=<logo@x>')).toEqual({ path: 'logo.png', cid: 'logo@x' })
  })

  it('rejects a spec without a path or without a CID', () => {
    expect(() => parseInline('logo.png')).toThrow(/PATH=CID/)
    expect(() => parseInline('=cid')).toThrow(/PATH=CID/)
    expect(() => parseInline('logo.png=')).toThrow(/PATH=CID/)
  })
})

describe('parseHeader', () => {
  it('splits at the first colon and drops the space after it', () => {
    expect(parseHeader('X-Url: http://x.test/a')).toEqual({
      name: 'X-Url',
      value: 'http://x.test/a',
    })
  })

  it('rejects a header without a name', () => {
    expect(() => parseHeader('no colon here')).toThrow(/Name: value/)
    expect(() => parseHeader(': value')).toThrow(/Name: value/)
  })

  it('gives back any name without a colon and any value, whatever they contain', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1 }).filter((s) => !s.includes(':') && s.trim() === s && s !== ''),
        fc.string().filter((s) => !/^[ \t]/.test(s)),
        (name, value) => {
          expect(parseHeader(`${name}: ${value}`)).toEqual({ name, value })
        },
      ),
    )
  })
})

describe('parseInboxArgs', () => {
  it('lists by default and shows one message by ID', () => {
    expect(parseInboxArgs([])).toMatchObject({ action: 'list' })
    expect(parseInboxArgs(['list', '--json'])).toMatchObject({ action: 'list', json: true })
    expect(parseInboxArgs(['show', '3'])).toMatchObject({ action: 'show', id: '3' })
  })

  it('rejects show without an ID and unknown actions', () => {
    expect(() => parseInboxArgs(['show'])).toThrow(/one message ID/)
    expect(() => parseInboxArgs(['delete', '1'])).toThrow(/unknown inbox action "delete"/)
  })

  it('takes --save-attachments DIR with show only', () => {
    expect(parseInboxArgs(['show', '2', '--save-attachments', 'out'])).toMatchObject({
      action: 'show',
      id: '2',
      saveAttachments: 'out',
    })
    expect(() => parseInboxArgs(['--save-attachments', 'out'])).toThrow(/goes with inbox show ID/)
  })
})

describe('parseServeArgs', () => {
  it('defaults to 127.0.0.1:2525', () => {
    expect(parseServeArgs([])).toMatchObject({ host: '127.0.0.1', port: 2525 })
  })

  it('takes a port and a host', () => {
    expect(parseServeArgs(['--port', '0', '--host', '::1'])).toMatchObject({ host: '::1', port: 0 })
  })

  it('rejects a port that is not a number in range', () => {
    expect(() => parseServeArgs(['--port', 'abc'])).toThrow(/--port expects/)
    expect(() => parseServeArgs(['--port', '70000'])).toThrow(/--port expects/)
  })

  it("defaults to the inbox's own ports, the web page on 8025", () => {
    expect(parseServeArgs([])).toMatchObject({
      port: DEFAULT_SMTP_PORT,
      httpPort: DEFAULT_HTTP_PORT,
    })
    expect(DEFAULT_HTTP_PORT).toBe(8025)
  })

  it('takes --smtp-port (or --port), --http-port and the limits', () => {
    expect(
      parseServeArgs([
        '--smtp-port',
        '1025',
        '--http-port',
        '0',
        '--max-message-size',
        '10MB',
        '--max-connections',
        '20',
      ]),
    ).toEqual({
      help: false,
      verbose: false,
      json: false,
      host: '127.0.0.1',
      port: 1025,
      httpPort: 0,
      maxMessageSize: 10 * 1024 * 1024,
      maxConnections: 20,
    })
    expect(() => parseServeArgs(['--smtp-port', '1', '--port', '2'])).toThrow(
      /either --smtp-port or --port/,
    )
    expect(() => parseServeArgs(['--http-port', 'x'])).toThrow(/--http-port expects/)
    expect(() => parseServeArgs(['--max-connections', '0'])).toThrow(/--max-connections expects/)
  })
})

describe('parseSize', () => {
  it('reads octets, or KB, MB and GB as mailx prints them (1024-based)', () => {
    expect(parseSize('1048576')).toBe(1048576)
    expect(parseSize('512KB')).toBe(512 * 1024)
    expect(parseSize('25 mb')).toBe(25 * 1024 * 1024)
    expect(parseSize('1.5M')).toBe(1.5 * 1024 * 1024)
    expect(parseSize('1G')).toBe(1024 ** 3)
    for (const bad of ['', '0', 'big', '10TB', '-5', '1e9']) {
      expect(() => parseSize(bad)).toThrow(/--max-message-size expects a size such as 25MB/)
    }
  })
})

describe('parseWorkerArgs and parseEnqueueArgs', () => {
  const smtp = ['--smtp', 'smtp://127.0.0.1:2525']
  /** The usage error's message for a worker command line. */
  const workerError = (args: string[]) => {
    try {
      parseWorkerArgs([...smtp, ...args], {})
    } catch (err) {
      expect(err).toBeInstanceOf(UsageError)
      return (err as Error).message
    }
    throw new Error('no error')
  }
  const enqueueError = (args: string[]) => {
    try {
      parseEnqueueArgs(['-f', 'me@example.com', '-t', 'you@example.com', ...args], {})
    } catch (err) {
      expect(err).toBeInstanceOf(UsageError)
      return (err as Error).message
    }
    throw new Error('no error')
  }

  it('reads rates as MESSAGES/DURATION and the queue from --redis, REDIS_URL or the default', () => {
    const args = parseWorkerArgs(
      [...smtp, '--rate', '200/1s', '--domain-rate', '20/500ms', '-c', '16', '--queue', 'news'],
      { REDIS_URL: 'redis://10.0.0.5:6380' },
    )
    expect(args).toMatchObject({
      rate: { messages: 200, perMs: 1000 },
      domainRate: { messages: 20, perMs: 500 },
      concurrency: 16,
      queue: 'news',
      redis: 'redis://10.0.0.5:6380',
      smtp: 'smtp://127.0.0.1:2525',
    })
    expect(parseWorkerArgs(smtp, { REDIS_URL: '' }).redis).toBe(DEFAULT_REDIS)
    expect(parseRate('--rate', '10/m', 'worker')).toEqual({ messages: 10, perMs: 60_000 })
    expect(parseRate('--rate', '1000 / 1.5s', 'worker')).toEqual({ messages: 1000, perMs: 1500 })
    expect(parseDuration('2h')).toBe(7_200_000)
    expect(parseDuration('30')).toBeUndefined()
    const job = parseEnqueueArgs(
      [
        '-f',
        'a@x.test',
        '-t',
        'b@x.test',
        '--delay',
        '5m',
        '--priority',
        '3',
        '--idempotency-key',
        'k1',
      ],
      {},
    )
    expect(job).toMatchObject({
      delayMs: 300_000,
      priority: 3,
      idempotencyKey: 'k1',
      to: ['b@x.test'],
    })
    expect(parseEnqueueArgs(['--status', '17'], {})).toMatchObject({ status: '17', to: [] })
  })

  it('names the flag at fault and the spelling meant', () => {
    expect(workerError(['--rate', '200'])).toBe(
      '--rate expects MESSAGES/DURATION such as 200/1s, 20/500ms or 1000/1m, got "200" (see: mailx worker --help)',
    )
    expect(workerError(['--domain-rate', '0/1s'])).toMatch(
      /^--domain-rate expects MESSAGES\/DURATION/,
    )
    expect(workerError(['--rate-limit', '5'])).toBe(
      'unknown option --rate-limit: did you mean --rate MESSAGES/DURATION (e.g. --rate 200/1s)? (see: mailx worker --help)',
    )
    expect(workerError(['--name', 'bulk'])).toMatch(/did you mean --queue NAME\?/)
    expect(workerError(['--concurency', '4'])).toMatch(/did you mean --concurrency\?/)
    expect(workerError(['--concurrency', '0'])).toMatch(
      /^--concurrency expects a whole number of at least 1, got "0"/,
    )
    expect(workerError(['--text', 'hi'])).toMatch(/^unknown option --text/)
    expect(enqueueError(['--delay', '30'])).toBe(
      '--delay expects a duration such as 30s, 5m or 500ms, got "30" (see: mailx enqueue --help)',
    )
    expect(enqueueError(['--smtp', 'smtp://x'])).toMatch(
      /^unknown option --smtp: did you mean mailx worker --smtp URL/,
    )
    expect(enqueueError(['--status', '4'])).toBe(
      '--status ID goes alone, without --from (see: mailx enqueue --help)',
    )
    expect(enqueueError(['--redis', 'localhost:6379'])).toMatch(
      /^--redis expects redis:\/\/\[user:password@\]host\[:port\]\[\/db\]/,
    )
    // The password of a bad URL is not echoed.
    expect(enqueueError(['--redis', 'http://:hunter2@h'])).not.toContain('hunter2')
  })
})
