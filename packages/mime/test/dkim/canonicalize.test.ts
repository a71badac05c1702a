import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  BodyCanonicalizer,
  type CanonicalizationAlgorithm,
  canonicalizeHeaderRelaxed,
  canonicalizeHeaderSimple,
} from '../../src/dkim/canonicalize.js'
import { MimeError } from '../../src/errors.js'

/** Canonicalizes a body given as text, fed in chunks of `size` octets (all at once by default). */
function canonicalizeBody(algorithm: CanonicalizationAlgorithm, body: string, size?: number) {
  const canonical = new BodyCanonicalizer(algorithm)
  const bytes = new TextEncoder().encode(body)
  const step = size ?? Math.max(bytes.length, 1)
  const parts: Buffer[] = []
  // Each update's result is a view that the next update overwrites: copy it at once.
  for (let at = 0; at < bytes.length; at += step) {
    parts.push(Buffer.from(canonical.update(bytes.subarray(at, at + step))))
  }
  parts.push(Buffer.from(canonical.end()))
  const out = Buffer.concat(parts)
  expect(canonical.length).toBe(out.length)
  return out.toString('utf8')
}
const canonicalizeBodySimple = (body: string) => canonicalizeBody('simple', body)
const canonicalizeBodyRelaxed = (body: string) => canonicalizeBody('relaxed', body)

describe('RFC 6376 3.4.5 example', () => {
  const headers = ['A: X', 'B : Y\t\r\n\tZ  ']
  const body = ' C \r\nD \t E\r\n\r\n\r\n'

  it('relaxed header canonicalization gives "a:X" and "b:Y Z"', () => {
    expect(headers.map(canonicalizeHeaderRelaxed)).toEqual(['a:X', 'b:Y Z'])
  })

  it('relaxed body canonicalization gives " C" and "D E" with the empty lines dropped', () => {
    expect(canonicalizeBodyRelaxed(body)).toBe(' C\r\nD E\r\n')
  })

  it('simple header canonicalization leaves the fields as they are', () => {
    expect(headers.map(canonicalizeHeaderSimple)).toEqual(headers)
  })

  it('simple body canonicalization only drops the trailing empty lines', () => {
    expect(canonicalizeBodySimple(body)).toBe(' C \r\nD \t E\r\n')
  })
})

describe('relaxed header canonicalization', () => {
  it('lower-cases the name but keeps the case of the value', () => {
    expect(canonicalizeHeaderRelaxed('SUBJECT: Hello World')).toBe('subject:Hello World')
  })

  it('unfolds and reduces every run of spaces and tabs to one space', () => {
    expect(canonicalizeHeaderRelaxed('To: a@example.com,\r\n \t b@example.com')).toBe(
      'to:a@example.com, b@example.com',
    )
  })

  it('removes whitespace around the colon and at the end of the value', () => {
    expect(canonicalizeHeaderRelaxed('X-A \t:\t  v  \t')).toBe('x-a:v')
  })

  it('gives an empty value for a field with nothing after the colon', () => {
    expect(canonicalizeHeaderRelaxed('X-Empty:   ')).toBe('x-empty:')
  })

  it('keeps other whitespace characters such as no-break space and form feed', () => {
    expect(canonicalizeHeaderRelaxed('X: \u00a0a\fb\u00a0')).toBe('x:\u00a0a\fb\u00a0')
  })

  it('is idempotent on any field', () => {
    const wsp = fc.constantFrom(' ', '\t', '\r\n ', '\r\n\t')
    const piece = fc.oneof(
      fc.string({ maxLength: 6 }).map((s) => s.replace(/[\r\n:]/g, '')),
      wsp,
    )
    const field = fc
      .tuple(
        fc.stringMatching(/^[!-9;-~]{1,10}$/),
        fc.array(wsp, { maxLength: 2 }),
        fc.array(piece, { maxLength: 12 }),
      )
      .map(
        ([name, before, value]) =>
          `${name}${before.join('').replace(/\r\n/g, '')}:${value.join('')}`,
      )
    fc.assert(
      fc.property(field, (f) => {
        const once = canonicalizeHeaderRelaxed(f)
        expect(canonicalizeHeaderRelaxed(once)).toBe(once)
        expect(once).not.toMatch(/\r|\n|[ \t]{2}|[ \t]$|^[^:]*[ \t]:/)
      }),
    )
  })
})

describe('simple body canonicalization', () => {
  it('turns an empty body into a single CRLF', () => {
    expect(canonicalizeBodySimple('')).toBe('\r\n')
  })

  it('turns a body of empty lines into a single CRLF', () => {
    expect(canonicalizeBodySimple('\r\n\r\n\r\n')).toBe('\r\n')
  })

  it('adds the missing CRLF at the end of the last line', () => {
    expect(canonicalizeBodySimple('no newline')).toBe('no newline\r\n')
  })

  it('keeps trailing whitespace and lines holding only whitespace', () => {
    expect(canonicalizeBodySimple('a \r\n \r\n\r\n')).toBe('a \r\n \r\n')
  })
})

describe('relaxed body canonicalization', () => {
  it('keeps an empty body empty', () => {
    expect(canonicalizeBodyRelaxed('')).toBe('')
  })

  it('empties a body of blank and whitespace-only lines', () => {
    expect(canonicalizeBodyRelaxed(' \r\n\t\r\n\r\n')).toBe('')
  })

  it('adds the missing CRLF and strips the trailing whitespace of the last line', () => {
    expect(canonicalizeBodyRelaxed('last line \t')).toBe('last line\r\n')
  })

  it('keeps a single space and leading whitespace as one space', () => {
    expect(canonicalizeBodyRelaxed('a b\r\n\t\tindented\r\n')).toBe('a b\r\n indented\r\n')
  })

  it('keeps empty lines in the middle of the body', () => {
    expect(canonicalizeBodyRelaxed('a\r\n\r\n \r\nb\r\n')).toBe('a\r\n\r\n\r\nb\r\n')
  })

  it('agrees with a line-by-line reading of RFC 6376 3.4.4 on random bodies', () => {
    const line = fc.array(fc.constantFrom('a', 'b', ' ', '\t', 'é'), { maxLength: 8 })
    const body = fc
      .tuple(
        fc.array(
          line.map((l) => l.join('')),
          { maxLength: 8 },
        ),
        fc.boolean(),
      )
      .map(([lines, finalCrlf]) => lines.join('\r\n') + (finalCrlf ? '\r\n' : ''))
    const reference = (text: string) => {
      const lines = text.split('\r\n')
      if (text.endsWith('\r\n')) lines.pop()
      const reduced = lines.map((l) => l.replace(/[ \t]+$/, '').replace(/[ \t]+/g, ' '))
      while (reduced.length > 0 && reduced[reduced.length - 1] === '') reduced.pop()
      return reduced.map((l) => `${l}\r\n`).join('')
    }
    fc.assert(
      fc.property(body, (text) => {
        expect(canonicalizeBodyRelaxed(text)).toBe(reference(text))
      }),
    )
  })
})

describe('body canonicalization fed in chunks', () => {
  it('gives the same octets however the body is cut, for both algorithms', () => {
    const body = fc
      .array(fc.constantFrom('a', 'é', ' ', '\t', '\r\n', '\r\n\r\n', ' \r\n'), { maxLength: 40 })
      .map((parts) => parts.join(''))
    fc.assert(
      fc.property(body, fc.integer({ min: 1, max: 9 }), (text, size) => {
        for (const algorithm of ['simple', 'relaxed'] as const) {
          expect(canonicalizeBody(algorithm, text, size)).toBe(canonicalizeBody(algorithm, text))
        }
      }),
    )
  })

  it('refuses a bare CR or LF, which only a CRLF message can be signed without', () => {
    for (const body of ['a\nb', 'a\rb', 'a\r', '\n']) {
      for (const algorithm of ['simple', 'relaxed'] as const) {
        expect(() => canonicalizeBody(algorithm, body)).toThrow(MimeError)
      }
    }
  })
})
