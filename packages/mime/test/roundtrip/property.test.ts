import { parseWithMailparser, pythonParser } from '@mail/testkit'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, test } from 'vitest'
import { buildMessage } from '../../src/index.js'
import { expectParsed, expectWellFormed } from './helpers.js'

type Parser = Awaited<ReturnType<typeof pythonParser>>
let python: Parser

beforeAll(async () => {
  python = await pythonParser()
})
afterAll(async () => {
  await python.close()
})

/** Any Unicode text that a single-line field accepts (no CR, LF, NUL or other C0 control but tab). */
const line = (opts: { minLength?: number; maxLength: number }) =>
  fc.string({ unit: 'binary', ...opts }).map((s) => s.replace(/[\x00-\x08\x0a-\x1f\x7f]/g, ' '))
/** Any Unicode text, line breaks of every kind included. */
const body = fc.string({
  unit: fc.oneof(
    { weight: 4, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
    { weight: 1, arbitrary: fc.constantFrom('\r', '\n', '\r\n', ' ', '\t', '.', 'From ', '=') },
  ),
  maxLength: 400,
})
// Python collapses whitespace runs in encoded display names and mailparser trims quoted ones,
// so names here have single spaces and no edge whitespace.
const mailbox = fc.record({
  name: line({ maxLength: 60 }).map((s) => s.replace(/\s+/g, ' ').trim()),
  address: fc.emailAddress(),
})

/** mailparser guesses a type from the filename for application/octet-stream, so use another. */
const TYPE = 'application/x-mail-test'

const message = fc.record({
  subject: line({ maxLength: 150 }),
  from: mailbox,
  to: fc.array(mailbox, { minLength: 1, maxLength: 3 }),
  text: body,
  html: body,
  attachments: fc.array(
    fc.record({
      // Python's Message.get_filename() strips edge whitespace, so filenames here have none.
      filename: line({ minLength: 1, maxLength: 100 })
        .map((s) => s.trim())
        .filter((s) => s !== ''),
      content: fc.uint8Array({ maxLength: 3000 }),
      cid: fc.option(fc.stringMatching(/^[a-z0-9.]{1,12}@[a-z]{1,8}\.example$/), {
        nil: undefined,
      }),
    }),
    { maxLength: 3 },
  ),
})

describe('random messages round-trip through Python email and mailparser', () => {
  test('unicode subjects, names, filenames, bodies, binary and inline attachments come back exactly', async () => {
    await fc.assert(
      fc.asyncProperty(message, async (m) => {
        const attachments = m.attachments.map(({ cid, ...a }) => ({
          ...a,
          contentType: TYPE,
          ...(cid !== undefined && { cid }),
        }))
        const raw = buildMessage({ ...m, attachments })
        expectWellFormed(raw)
        const expected = {
          subject: m.subject,
          from: [m.from],
          to: m.to,
          text: m.text,
          html: m.html,
          // Parts with a cid travel with the html in multipart/related, so they come first.
          attachments: [
            ...attachments.filter((a) => a.cid !== undefined),
            ...attachments.filter((a) => a.cid === undefined),
          ],
        }
        expectParsed(await python.parse(raw), expected, 'python', { loosePythonNames: true })
        expectParsed(await parseWithMailparser(raw), expected, 'mailparser')
      }),
      { numRuns: 150 },
    )
  })
})
