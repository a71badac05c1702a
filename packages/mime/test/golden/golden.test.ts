import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseWithPython } from '@mail/testkit'
import { expect, test } from 'vitest'
import { buildMessage } from '../../src/index.js'
import { deterministic, everything } from '../fixtures/messages.js'

const fixture = join(import.meta.dirname, 'everything.eml')

test('the full-featured message matches the golden .eml byte for byte', async () => {
  const raw = buildMessage(everything, deterministic)
  if (process.env.UPDATE_GOLDEN === '1') writeFileSync(fixture, raw)
  expect(raw).toBe(readFileSync(fixture, 'utf8'))
  expect((await parseWithPython(raw)).defects).toEqual([])
})
