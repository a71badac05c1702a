import { createHash } from 'node:crypto'
import type { Readable } from 'node:stream'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { DataUnstuffer, startStreamSink } from '../src/index.js'
import { RawClient } from '../src/raw-client.js'

/** The reference: DATA content split into lines, each leading dot removed, up to the '.' line. */
function unstuffWhole(wire: string): { content: string; rest: string } | undefined {
  // The DATA line's CRLF starts the content at a line start; the end's CRLF is the content's.
  const end = `\r\n${wire}`.indexOf('\r\n.\r\n')
  if (end < 0) return undefined
  return {
    content: wire.slice(0, end).replace(/(^|\r\n)\./g, '$1'),
    rest: wire.slice(end + 3),
  }
}

describe('DataUnstuffer', () => {
  it('gives the whole-message result however the octets are cut', () => {
    const octet = fc.constantFrom('a', '.', '\r', '\n', '\r\n', '\r\n.', 'Q')
    fc.assert(
      fc.property(
        fc.array(octet, { maxLength: 40 }).map((a) => a.join('')),
        fc.array(fc.nat(60), { maxLength: 8 }),
        (text, cuts) => {
          const wire = `${text}\r\n.\r\nQUIT\r\n`
          const expected = unstuffWhole(wire)!
          const u = new DataUnstuffer()
          const points = [...new Set(cuts.filter((c) => c > 0 && c < wire.length))].sort(
            (a, b) => a - b,
          )
          let content = ''
          let rest: string | undefined
          let start = 0
          for (const p of [...points, wire.length]) {
            const r = u.feed(Buffer.from(wire.slice(start, p), 'latin1'))
            content += r.content.map((b) => b.toString('latin1')).join('')
            start = p
            if (r.rest !== undefined) {
              rest = r.rest.toString('latin1') + wire.slice(p)
              break
            }
          }
          expect({ content, rest }).toEqual(expected)
        },
      ),
    )
  })

  it('takes an empty message', () => {
    const r = new DataUnstuffer().feed(Buffer.from('.\r\nQUIT\r\n'))
    expect(r.content).toEqual([])
    expect(r.rest?.toString()).toBe('QUIT\r\n')
  })
})

const sha256 = async (m: Readable) => {
  const hash = createHash('sha256')
  for await (const chunk of m) hash.update(chunk as Buffer)
  return hash.digest('hex')
}

describe('startStreamSink', () => {
  it('streams DATA and BDAT messages to consume, and answers once it resolved', async () => {
    const sink = await startStreamSink({ chunking: true, consume: sha256 })
    try {
      const c = await RawClient.open(sink.port)
      expect(await c.reply()).toMatch(/^220 /)
      expect(await c.command('EHLO x')).toContain('250 CHUNKING')
      await c.command('MAIL FROM:<a@x.test> SIZE=9')
      await c.command('RCPT TO:<b@x.test>')
      expect(await c.command('DATA')).toMatch(/^354 /)
      expect(await c.command('..a\r\nb\r\n.')).toMatch(/^250 /)
      await c.command('MAIL FROM:<a@x.test>')
      await c.command('RCPT TO:<b@x.test>')
      c.write('BDAT 3\r\n.a\r')
      expect(await c.reply()).toMatch(/^250 /)
      c.write('BDAT 4 LAST\r\n\nb\r\n')
      expect(await c.reply()).toMatch(/^250 /)
      expect(sink.results.map((r) => r.value)).toEqual([
        createHash('sha256').update('.a\r\nb\r\n').digest('hex'),
        createHash('sha256').update('.a\r\nb\r\n').digest('hex'),
      ])
      expect(sink.results.map((r) => [r.envelope.via, r.envelope.chunks])).toEqual([
        ['DATA', 0],
        ['BDAT', 2],
      ])
      expect(sink.results[0]?.envelope).toMatchObject({
        from: 'a@x.test',
        to: ['b@x.test'],
        params: ['SIZE=9'],
      })
      expect(await c.command('QUIT')).toMatch(/^221 /)
    } finally {
      await sink.stop()
    }
  })
})
