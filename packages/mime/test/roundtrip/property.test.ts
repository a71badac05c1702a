import { parseWithMailparser, pythonParser } from '@mail/testkit'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, test } from 'vitest'
import { buildMessage } from '../../src/index.js'
import { randomInput, randomMessage } from '../fixtures/messages.js'
import { expectParsed, expectWellFormed } from './helpers.js'

type Parser = Awaited<ReturnType<typeof pythonParser>>
let python: Parser

beforeAll(async () => {
  python = await pythonParser()
})
afterAll(async () => {
  await python.close()
})

describe('random messages round-trip through Python email and mailparser', () => {
  test('unicode subjects, names, filenames, bodies, binary and inline attachments come back exactly', async () => {
    await fc.assert(
      fc.asyncProperty(randomMessage, async (m) => {
        const input = randomInput(m)
        const { attachments } = input
        const raw = buildMessage(input)
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
