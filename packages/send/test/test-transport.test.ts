import { MimeError } from '@mail/mime'
import { parseWithPython } from '@mail/testkit'
import { describe, expect, it } from 'vitest'
import { SendError } from '../src/errors.js'
import { createTestTransport } from '../src/test-transport.js'
import { createTransport, PooledTransport } from '../src/transport.js'

const message = {
  from: 'Shop <shop@example.com>',
  to: ['alice@example.org', 'Bob <bob@example.net>'],
  bcc: 'audit@example.com',
  subject: 'Your order',
  text: 'Shipped today.',
}

describe('createTestTransport', () => {
  it('records the built message, its envelope and its Message-ID', async () => {
    const transport = createTestTransport()
    const info = await transport.send(message)
    expect(transport.messages).toHaveLength(1)
    const [sent] = transport.messages
    expect(sent!.envelope).toEqual({
      from: 'shop@example.com',
      to: ['alice@example.org', 'bob@example.net', 'audit@example.com'],
    })
    expect(sent!.messageId).toMatch(/^<[^<>]+@[^<>]+>$/)
    expect(sent!.info).toBe(info)
    const parsed = await parseWithPython(sent!.raw)
    expect(parsed.defects).toEqual([])
    expect(parsed.subject).toBe('Your order')
    expect(parsed.messageId).toBe(sent!.messageId)
    expect(parsed.text?.trim()).toBe('Shipped today.')
    expect(sent!.raw).not.toMatch(/^Bcc:/im)
  })

  it('reports every envelope recipient accepted, in the shape of an SMTP result', async () => {
    const transport = createTestTransport()
    const info = await transport.send(message)
    expect(info).toEqual({
      messageId: transport.messages[0]!.messageId,
      envelope: transport.messages[0]!.envelope,
      accepted: ['alice@example.org', 'bob@example.net', 'audit@example.com'],
      rejected: [],
      response: expect.stringMatching(/^250 /),
    })
  })

  it('uses an explicit envelope instead of the derived one', async () => {
    const transport = createTestTransport()
    const envelope = { from: 'bounces@example.com', to: ['other@example.org'] }
    const info = await transport.send({ ...message, envelope })
    expect(info.envelope).toEqual(envelope)
    expect(transport.messages[0]!.raw).not.toContain('envelope')
  })

  it('validates exactly as the SMTP transport: a bad header is a MimeError naming the field', async () => {
    const transport = createTestTransport()
    const bad = { ...message, subject: 'Hi\r\nBcc: victim@example.com' }
    await expect(transport.send(bad)).rejects.toThrow(MimeError)
    await expect(transport.send(bad)).rejects.toMatchObject({ field: 'subject' })
    expect(transport.messages).toEqual([])
  })

  it('refuses a message without recipients and a malformed explicit envelope', async () => {
    const transport = createTestTransport()
    await expect(transport.send({ from: 'a@example.com', text: 'x' })).rejects.toMatchObject({
      kind: 'envelope',
      field: 'to',
    })
    const injected = { from: 'a@example.com', to: ['b@example.org>\r\nRCPT TO:<c@example.org'] }
    await expect(transport.send({ ...message, envelope: injected })).rejects.toMatchObject({
      kind: 'envelope',
      field: 'envelope.to[0]',
    })
  })

  it('writes the Unicode domains of an explicit envelope in Punycode, as in a derived one', async () => {
    const transport = createTestTransport()
    const envelope = { from: 'a@exämple.com', to: ['b@bücher.de', 'ü@bücher.de', 'c@[192.0.2.1]'] }
    await transport.send({ ...message, envelope })
    expect(transport.messages.at(-1)?.envelope).toEqual({
      from: 'a@xn--exmple-cua.com',
      // a Unicode local part needs SMTPUTF8 anyway: that address is left as given
      to: ['b@xn--bcher-kva.de', 'ü@bücher.de', 'c@[192.0.2.1]'],
    })
  })

  it('accepts and refuses explicit envelope addresses exactly as the SMTP client does', async () => {
    const transport = createTestTransport()
    // An unbalanced quote: the SMTP client refuses it, so the test transport must too.
    const unbalanced = { from: 'a@example.com', to: ['"b@example.org'] }
    await expect(transport.send({ ...message, envelope: unbalanced })).rejects.toMatchObject({
      kind: 'envelope',
      field: 'envelope.to[0]',
    })
    // A quoted local part with a space is a valid RFC 5321 path.
    const quoted = { from: 'a@example.com', to: ['"b c"@example.org'] }
    await transport.send({ ...message, envelope: quoted })
    expect(transport.messages.at(-1)?.envelope.to).toEqual(['"b c"@example.org'])
  })

  it('rejects with the abort reason and records nothing when the signal was already aborted', async () => {
    const transport = createTestTransport()
    const controller = new AbortController()
    controller.abort()
    await expect(transport.send(message, { signal: controller.signal })).rejects.toMatchObject({
      name: 'AbortError',
    })
    expect(transport.messages).toEqual([])
  })

  it('yields sendMany results in order, with errors for the bad messages', async () => {
    const transport = createTestTransport()
    const messages = [message, { ...message, from: 'not an address' }, message]
    const results = []
    for await (const r of transport.sendMany(messages)) results.push(r)
    expect(results.map((r) => r.index)).toEqual([0, 1, 2])
    expect('error' in results[1]! && results[1].error).toBeInstanceOf(MimeError)
    expect(transport.messages).toHaveLength(2)
  })

  it('streams 100,000 messages from an async generator through sendMany, pulling lazily', async () => {
    const transport = createTestTransport({ record: false })
    const window = 32
    let pulled = 0
    let results = 0
    let maxAhead = 0
    async function* generate() {
      for (let i = 0; i < 100_000; i++) {
        pulled++
        maxAhead = Math.max(maxAhead, pulled - results)
        yield { from: 'a@example.com', to: 'b@example.org', subject: `n${i}`, text: 'tiny' }
      }
    }
    let failures = 0
    for await (const r of transport.sendMany(generate(), { window })) {
      results++
      if ('error' in r) failures++
    }
    expect(results).toBe(100_000)
    expect(failures).toBe(0)
    expect(transport.count).toBe(100_000)
    // Never more than the window (plus the one being pulled) ahead of the results.
    expect(maxAhead).toBeLessThanOrEqual(window + 1)
  })

  it('only counts messages with record: false', async () => {
    const transport = createTestTransport({ record: false })
    await transport.send(message)
    await transport.send(message)
    expect(transport.count).toBe(2)
    expect(transport.messages).toEqual([])
  })

  it('forgets messages on clear() and refuses messages after close()', async () => {
    await using transport = createTestTransport()
    await transport.send(message)
    transport.clear()
    expect(transport.messages).toEqual([])
    await transport.close()
    await expect(transport.send(message)).rejects.toBeInstanceOf(SendError)
  })

  it('builds deterministically with injected build options', async () => {
    const build = { now: () => new Date(Date.UTC(2024, 0, 2)), messageIdRandom: () => 'fixed' }
    const a = createTestTransport({ build })
    const b = createTestTransport({ build })
    await a.send(message)
    await b.send(message)
    expect(a.messages[0]!.raw).toBe(b.messages[0]!.raw)
    expect(a.messages[0]!.raw).toMatch(/^Date: Tue, 0?2 Jan 2024 /m)
  })

  it('is the SMTP transport with a memory backend: the same class, pool and results', async () => {
    const test = createTestTransport()
    expect(test).toBeInstanceOf(PooledTransport)
    expect(createTransport('smtp://mail.example.com')).toBeInstanceOf(PooledTransport)
    expect(await test.verify()).toEqual({
      capabilities: { extensions: {}, auth: [] },
      secure: false,
      authenticated: false,
    })
    // Through the pool: messages handed over at once all arrive, in order.
    const infos = await Promise.all(
      Array.from({ length: 100 }, (_, i) => test.send({ ...message, subject: `n${i}` })),
    )
    expect(test.messages.map((m) => m.info)).toEqual(infos)
  })
})
