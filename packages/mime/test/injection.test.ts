import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { buildMessage, MimeError } from '../src/index.js'
import { singleLineFields as fields } from './fixtures/fields.js'

/** A string with at least one CR, LF or NUL somewhere in it: an injection attempt. */
const injected = fc
  .tuple(
    fc.string({ maxLength: 30 }),
    fc.constantFrom('\r', '\n', '\0', '\r\n', '\r\nBcc: victim@example.com\r\n', '\n.\n'),
    fc.string({ maxLength: 30 }),
  )
  .map(([a, bad, b]) => a + bad + b)

describe('CR, LF or NUL in any single-line field always throws MimeError naming that field', () => {
  test.each(fields.map(([field, make], i) => [`${field} (#${i})`, field, make] as const))(
    '%s',
    (_, field, make) => {
      fc.assert(
        fc.property(injected, (s) => {
          let error: unknown
          try {
            buildMessage(make(s))
          } catch (err) {
            error = err
          }
          expect(error).toBeInstanceOf(MimeError)
          expect((error as MimeError).field).toBe(field)
          expect((error as MimeError).message).toContain(field)
        }),
        { numRuns: 10_000 },
      )
    },
  )
})
