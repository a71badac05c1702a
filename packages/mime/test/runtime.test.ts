import { parseWithPython } from '@mail/testkit'
import { describe, expect, test } from 'vitest'
import { buildMessage, type MessageInput } from '../src/index.js'
import { deterministic, everything } from './fixtures/messages.js'

const NodeBuffer = globalThis.Buffer

/** Builds with globalThis.Buffer hidden, as in Cloudflare Workers and browsers. */
function buildWithoutBuffer(input: MessageInput): string {
  const g = globalThis as { Buffer?: unknown }
  g.Buffer = undefined
  try {
    return buildMessage(input, deterministic)
  } finally {
    g.Buffer = NodeBuffer
  }
}

describe('with only Web APIs (no Buffer)', () => {
  test('the full-featured message is byte-identical to the Buffer build', () => {
    expect(buildWithoutBuffer(everything)).toBe(buildMessage(everything, deterministic))
  })

  test('large binary attachments are byte-identical and parse back exactly', async () => {
    const big = Uint8Array.from({ length: 300_001 }, (_, i) => (i * 2654435761) >>> 24)
    const input: MessageInput = {
      from: 'a@example.com',
      to: 'b@example.org',
      text: 'see attachment',
      attachments: [{ filename: 'big.bin', content: big }],
    }
    const raw = buildWithoutBuffer(input)
    expect(raw).toBe(buildMessage(input, deterministic))
    const parsed = await parseWithPython(raw)
    expect(parsed.defects).toEqual([])
    expect(NodeBuffer.from(big).equals(parsed.attachments[0]!.content)).toBe(true)
  })
})
