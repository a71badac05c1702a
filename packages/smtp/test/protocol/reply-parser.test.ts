import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { makeReply, ReplyParser, ReplySyntaxError } from '../../src/protocol/reply-parser.js'

const bytes = (s: string) => new TextEncoder().encode(s)

describe('ReplyParser', () => {
  it('parses a single-line reply with an enhanced status code', () => {
    expect(new ReplyParser().push(bytes('550 5.1.1 <x@y>: user unknown\r\n'))).toEqual([
      {
        code: 550,
        enhancedCode: '5.1.1',
        lines: ['5.1.1 <x@y>: user unknown'],
        message: '<x@y>: user unknown',
        raw: '550 5.1.1 <x@y>: user unknown',
      },
    ])
  })

  it('joins a multiline reply and returns it once complete', () => {
    const p = new ReplyParser()
    expect(p.push(bytes('250-mx.example.org\r\n250-SIZE 10\r\n'))).toEqual([])
    const [r] = p.push(bytes('250 PIPELINING\r\n'))
    expect(r?.lines).toEqual(['mx.example.org', 'SIZE 10', 'PIPELINING'])
    expect(r?.raw).toBe('250-mx.example.org\n250-SIZE 10\n250 PIPELINING')
    // nothing of it is left over: the next reply stands alone
    expect(p.push(bytes('220 b\r\n')).map((x) => x.raw)).toEqual(['220 b'])
  })

  it('accepts a bare code and bare LF line ends', () => {
    expect(new ReplyParser().push(bytes('250\n354 go\n')).map((r) => r.code)).toEqual([250, 354])
  })

  it('ignores an enhanced code of another class than the reply', () => {
    expect(makeReply(250, ['5.1.1 odd']).enhancedCode).toBeUndefined()
  })

  it('rejects lines that are not replies', () => {
    expect(() => new ReplyParser().push(bytes('hello\r\n'))).toThrow(ReplySyntaxError)
    expect(() => new ReplyParser().push(bytes('250x\r\n'))).toThrow(ReplySyntaxError)
    expect(() => new ReplyParser().push(bytes('250-a\r\n251 b\r\n'))).toThrow(/code changed/)
  })

  it('refuses an endless line instead of buffering it forever', () => {
    expect(() => new ReplyParser().push(new Uint8Array(20000).fill(65))).toThrow(/too long/)
  })

  it('bounds one reply to 512 lines: an endless multiline reply is refused, not buffered', () => {
    const p = new ReplyParser()
    const line = bytes('250-SOMETHING\r\n')
    let thrown: unknown
    let lines = 0
    try {
      for (; lines < 100_000; lines++) p.push(line)
    } catch (e) {
      thrown = e
    }
    expect(thrown).toBeInstanceOf(ReplySyntaxError)
    expect((thrown as Error).message).toMatch(/Reply too long: a reply may have at most 512 lines/)
    expect(lines).toBe(511)
  })

  it('accepts a reply of 512 lines', () => {
    const reply = `${'250-x\r\n'.repeat(511)}250 end\r\n`
    expect(new ReplyParser().push(bytes(reply))[0]?.lines).toHaveLength(512)
  })

  it('bounds one reply to 256 KiB, however few its lines', () => {
    const long = `250-${'x'.repeat(15_000)}\r\n`
    const p = new ReplyParser()
    expect(() => {
      for (let i = 0; i < 20; i++) p.push(bytes(long))
    }).toThrow(/256 KiB/)
    expect(new ReplyParser().push(bytes(`${long.repeat(16)}250 end\r\n`))[0]?.lines).toHaveLength(
      17,
    )
  })

  it('drops buffered bytes on reset', () => {
    const p = new ReplyParser()
    p.push(bytes('250-a\r\n25'))
    p.reset()
    expect(p.push(bytes('220 b\r\n')).map((r) => r.raw)).toEqual(['220 b'])
  })

  it('gives a repeated line the same reply, but never inside a multiline reply', () => {
    const p = new ReplyParser()
    const [a, b] = p.push(bytes('250 2.1.0 Ok\r\n250 2.1.0 Ok\r\n'))
    expect(b).toBe(a)
    expect(p.push(bytes('250-2.1.0 Ok\r\n250 2.1.0 Ok\r\n'))).toEqual([
      {
        code: 250,
        enhancedCode: '2.1.0',
        lines: ['2.1.0 Ok', '2.1.0 Ok'],
        message: 'Ok\nOk',
        raw: '250-2.1.0 Ok\n250 2.1.0 Ok',
      },
    ])
    // more distinct lines than it remembers: each still parsed right
    const lines = Array.from({ length: 20 }, (_, i) => `250 line ${i % 10}\r\n`).join('')
    expect(p.push(bytes(lines)).map((r) => r.message)).toEqual(
      Array.from({ length: 20 }, (_, i) => `line ${i % 10}`),
    )
  })

  it('parses a stream of replies as a fresh parser parses each reply alone', () => {
    const single = fc.constantFrom('250 OK', '250 2.1.5 Ok', '354 go', '550 5.1.1 no', '250 b')
    const multi = fc.nat(3).map((n) => [...Array(n + 1).fill('250-a'), '250 b'].join('\r\n'))
    fc.assert(
      fc.property(fc.array(fc.oneof(single, multi), { maxLength: 30 }), (replies) => {
        const expected = replies.flatMap((r) => new ReplyParser().push(bytes(`${r}\r\n`)))
        const got = new ReplyParser().push(bytes(replies.map((r) => `${r}\r\n`).join('')))
        expect(got).toEqual(expected)
      }),
    )
  })

  it('gives the same replies whatever the split points', () => {
    const line = fc
      .tuple(
        fc.integer({ min: 200, max: 599 }),
        fc.string({ unit: fc.constantFrom('a', ' ', '.', '1', 'é', '-') }),
      )
      .map(([c, t]) => [c, t] as const)
    const reply = fc
      .array(line, { minLength: 1, maxLength: 4 })
      .map((ls) =>
        ls.map(([, t], i) => `${ls[0]![0]}${i === ls.length - 1 ? ' ' : '-'}${t}\r\n`).join(''),
      )
    fc.assert(
      fc.property(
        fc.array(reply, { minLength: 1, maxLength: 5 }),
        fc.array(fc.nat(), { maxLength: 6 }),
        (replies, cuts) => {
          const all = bytes(replies.join(''))
          const whole = new ReplyParser().push(all)
          const points = [...new Set(cuts.map((c) => c % (all.length + 1)))].sort((a, b) => a - b)
          const p = new ReplyParser()
          const pieces = []
          let from = 0
          for (const at of [...points, all.length]) {
            pieces.push(...p.push(all.subarray(from, at)))
            from = at
          }
          expect(pieces).toEqual(whole)
          expect(whole).toHaveLength(replies.length)
        },
      ),
    )
  })
})
