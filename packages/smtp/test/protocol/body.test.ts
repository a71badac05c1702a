import { describe, expect, it } from 'vitest'
import { BdatChunks, dataBody, dataBodyNow } from '../../src/protocol/body.js'
import { messageSource } from '../../src/protocol/message.js'

const text = (chunks: string | Iterable<string | Uint8Array>): string =>
  typeof chunks === 'string'
    ? chunks
    : [...chunks]
        .map((c) => (typeof c === 'string' ? c : Buffer.from(c).toString('latin1')))
        .join('')

describe('DATA body', () => {
  it('gives the same bytes whole or in slices', () => {
    const m = messageSource('.a\nb\r.c\r\n..d')
    expect(text(dataBodyNow(m))).toBe('..a\r\nb\r\n..c\r\n...d\r\n.\r\n')
    for (const size of [1, 2, 3, 5, 100]) expect(text(dataBody(m, size))).toBe(text(dataBodyNow(m)))
  })
})

describe('BdatChunks', () => {
  it('announces each chunk with its exact size and marks the last; a CRLF may span two chunks', () => {
    const lines: string[] = []
    const chunks = new BdatChunks(messageSource('ab\ncd\r\nef'), 3, (l) => lines.push(l))
    expect(chunks.count).toBe(3)
    expect(text(chunks.all())).toBe('BDAT 4\r\nab\r\nBDAT 3\r\ncd\rBDAT 5 LAST\r\n\nef\r\n')
    expect(lines).toEqual(['BDAT 4', 'BDAT 3', 'BDAT 5 LAST'])
  })

  it('sends a clean ASCII string as one text chunk, the same octets as its bytes would give', () => {
    const raw = 'Subject: a\r\n\r\n.dot stays\r\nlast'
    const lines: string[] = []
    const chunks = new BdatChunks(messageSource(raw), 1024, (l) => lines.push(l))
    expect(chunks.count).toBe(1)
    const wire = chunks.all()
    expect(typeof wire).toBe('string')
    const viaBytes = text(new BdatChunks(messageSource(Buffer.from(raw)), 1024, () => {}).all())
    expect(text(wire)).toBe(viaBytes)
    expect(viaBytes).toBe(`BDAT 32 LAST\r\n${raw}\r\n`)
    expect(lines).toEqual(['BDAT 32 LAST'])
  })

  it('sends an empty message as one empty last chunk', () => {
    expect(text(new BdatChunks(messageSource(''), 10, () => {}).all())).toBe('BDAT 0 LAST\r\n')
  })
})
