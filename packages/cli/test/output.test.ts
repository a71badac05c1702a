import { PassThrough } from 'node:stream'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  CliError,
  createProgress,
  EXIT,
  fileError,
  findErrno,
  foreignText,
  formatBytes,
  formatDuration,
  type Io,
  printable,
  reportError,
  sendingBar,
} from '../src/output.js'

function capture(isTTY: boolean) {
  const stream = Object.assign(new PassThrough(), { isTTY, columns: 80 })
  let text = ''
  stream.on('data', (c: Buffer) => {
    text += c.toString()
  })
  return { stream, text: () => text }
}

function ioWith(stderrTTY: boolean) {
  const out = capture(false)
  const err = capture(stderrTTY)
  const io: Io = {
    stdout: out.stream,
    stderr: err.stream,
    stdin: new PassThrough(),
    env: {},
    cwd: '/',
  }
  return { io, stdout: out.text, stderr: err.text }
}

describe('createProgress', () => {
  it('rewrites one status line on a TTY and clears it when done', () => {
    const { io, stderr } = ioWith(true)
    const progress = createProgress(io, { enabled: true, intervalMs: 0 })
    progress.update('reading big.bin 50%')
    progress.update('sending message')
    progress.done()
    expect(progress.active).toBe(true)
    expect(stderr()).toBe('\r\x1b[Kreading big.bin 50%\r\x1b[Ksending message\r\x1b[K')
  })

  it('always shows a phase change but may skip a frequent update right after a redraw', () => {
    const { io, stderr } = ioWith(true)
    const progress = createProgress(io, { enabled: true, intervalMs: 60_000 })
    progress.update('reading a.bin 10%', true)
    progress.update('reading a.bin 20%', true)
    progress.update('sending message')
    expect(stderr()).toBe('\r\x1b[Kreading a.bin 10%\r\x1b[Ksending message')
  })

  it('prints nothing when stderr is not a TTY', () => {
    const { io, stderr } = ioWith(false)
    const progress = createProgress(io, { enabled: true, intervalMs: 0 })
    progress.update('reading')
    progress.done()
    expect(progress.active).toBe(false)
    expect(stderr()).toBe('')
  })

  it('prints nothing when disabled (--json) even on a TTY', () => {
    const { io, stderr } = ioWith(true)
    const progress = createProgress(io, { enabled: false })
    progress.update('reading')
    progress.done()
    expect(stderr()).toBe('')
  })
})

describe('reportError', () => {
  it('writes one line without a stack trace by default', () => {
    const { io, stderr } = ioWith(false)
    const code = reportError(io, new Error('boom'), 'file not found: a.pdf', false)
    expect(code).toBe(EXIT.failure)
    expect(stderr()).toBe('mailx: file not found: a.pdf\n')
  })

  it('adds the stack and the cause chain with --verbose', () => {
    const { io, stderr } = ioWith(false)
    const err = new CliError('file not found: a.pdf', { cause: new Error('ENOENT inner') })
    reportError(io, err, err.message, true)
    expect(stderr()).toMatch(
      /^mailx: file not found: a.pdf\nCliError: file not found: a.pdf\n\s+at /,
    )
    expect(stderr()).toMatch(/caused by: Error: ENOENT inner/)
  })

  it('uses the exit code a CliError carries', () => {
    const { io } = ioWith(false)
    expect(reportError(io, new CliError('x', { exitCode: EXIT.partial }), 'x', false)).toBe(2)
  })
})

describe('fileError', () => {
  it('names the path of a missing file', () => {
    const enoent = Object.assign(new Error('ENOENT: no such file'), { code: 'ENOENT' })
    expect((fileError(enoent, './a.pdf') as Error).message).toBe('file not found: ./a.pdf')
  })

  it('passes other errors through', () => {
    const other = new Error('disk on fire')
    expect(fileError(other, 'a')).toBe(other)
  })
})

describe('findErrno', () => {
  it('finds the errno code along the cause chain', () => {
    const inner = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })
    expect(findErrno(new Error('outer', { cause: inner }))).toBe('ECONNREFUSED')
    expect(findErrno(new Error('plain'))).toBeUndefined()
  })
})

describe('formatBytes', () => {
  it('uses B, KB and MB', () => {
    expect([formatBytes(512), formatBytes(1536), formatBytes(5 * 1024 * 1024)]).toEqual([
      '512 B',
      '1.5 KB',
      '5.0 MB',
    ])
  })
})

describe('printable', () => {
  it('shows terminal control characters as \\xNN and keeps tabs and line feeds', () => {
    expect(printable('a\x1b]0;title\x07b\tc\r\nd\x9be')).toBe('a\\x1b]0;title\\x07b\tc\nd\\x9be')
  })

  it('leaves ordinary text, Unicode included, unchanged', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (s) => {
        fc.pre(!/[\x00-\x08\x0b-\x1f\x7f-\x9f]/.test(s))
        expect(printable(s)).toBe(s)
      }),
    )
  })
})

describe('foreignText', () => {
  it('also shows bidi controls, line separators and lone surrogates as \\uXXXX', () => {
    expect(foreignText('invoice\u202Efdp.exe')).toBe('invoice\\u202efdp.exe')
    expect(foreignText('a\u2066b\u2069\u200f\u2028c\x1bd')).toBe(
      'a\\u2066b\\u2069\\u200f\\u2028c\\x1bd',
    )
    expect(foreignText('x\ud800y\udc00')).toBe('x\\ud800y\\udc00')
    expect(foreignText('emoji \u{1f600} stays')).toBe('emoji \u{1f600} stays')
  })

  it('never lets a control, bidi or separator character through', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        expect(foreignText(s)).not.toMatch(
          /[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/,
        )
      }),
    )
  })
})

describe('sendingBar', () => {
  const MB = 1024 * 1024
  it('shows octets of the total, the rate since the first report and the time left', () => {
    expect(sendingBar(150 * MB, 300 * MB, { sent: 50 * MB, ms: 1000 }, 3000)).toBe(
      'sending [##########----------]  50% 150.0 MB of 300.0 MB, 50.0 MB/s, 3 s left',
    )
  })

  it('shows no rate before there is one, and no time left at the end', () => {
    expect(sendingBar(1 * MB, 8 * MB, { sent: 1 * MB, ms: 0 }, 0)).toBe(
      'sending [###-----------------]  12% 1.0 MB of 8.0 MB',
    )
    expect(sendingBar(8 * MB, 8 * MB, { sent: 0, ms: 0 }, 2000)).toBe(
      'sending [####################] 100% 8.0 MB of 8.0 MB, 4.0 MB/s',
    )
  })

  it('shows only octets and rate when the total is not known', () => {
    expect(sendingBar(10 * MB, undefined, { sent: 0, ms: 0 }, 1000)).toBe(
      'sending 10.0 MB, 10.0 MB/s',
    )
  })
})

describe('formatDuration', () => {
  it('reads as seconds, minutes or hours', () => {
    expect(formatDuration(4.4)).toBe('4 s')
    expect(formatDuration(200)).toBe('3 min 20 s')
    expect(formatDuration(7500)).toBe('2 h 5 min')
  })
})
