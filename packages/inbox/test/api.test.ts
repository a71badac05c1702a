import { request as httpRequest } from 'node:http'
import { sendmail } from '@mail/send'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { type Inbox, type InboxMessage, startInbox } from '../src/index.js'
import { PIXEL } from './helpers/counter.js'
import { openEvents } from './helpers/sse.js'

let inbox: Inbox
beforeAll(async () => {
  inbox = await startInbox({ dir: ':memory:', smtp: { port: 0 }, http: { port: 0 } })
})
afterAll(async () => {
  await inbox.close()
})
beforeEach(async () => {
  await inbox.clear()
})

const api = (path: string, init?: RequestInit) => fetch(`${inbox.httpUrl}${path}`, init)
const json = async (path: string) => (await api(path)).json()
const send = (message: Parameters<typeof sendmail>[0]) => sendmail(message, inbox.smtpUrl)

async function fixture(): Promise<InboxMessage> {
  await send({
    from: 'Alice <alice@example.com>',
    to: 'Bob <bob@example.org>',
    cc: 'carol@example.org',
    subject: 'Report ready',
    text: 'See attached.',
    html: '<p>See <img src="cid:logo"></p>',
    attachments: [
      { filename: 'logo.png', content: PIXEL, cid: 'logo' },
      { filename: 'Résumé "final".pdf', content: '%PDF-1.4', contentType: 'application/pdf' },
    ],
  })
  return (await inbox.messages())[0]!
}

/** A raw request, for what fetch will not send (a foreign Host, an unnormalised path). */
function rawRequest(path: string, headers: Record<string, string> = {}, method = 'GET') {
  const { port } = new URL(inbox.httpUrl!)
  return new Promise<{ status: number; headers: Record<string, unknown>; body: string }>(
    (resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port, path, method, headers }, (res) => {
        let body = ''
        res.on('data', (c: Buffer) => {
          body += c.toString()
        })
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }))
      })
      req.on('error', reject)
      req.end()
    },
  )
}

describe('the JSON API', () => {
  it('lists messages newest first, as the library does, ISO 8601 times included', async () => {
    await send({ from: 'a@example.com', to: 'b@example.org', subject: 'One', text: '1' })
    await send({ from: 'a@example.com', to: 'b@example.org', subject: 'Two', text: '2' })
    const listed = (await json('/api/messages')) as InboxMessage[]
    expect(listed.map((m) => m.subject)).toEqual(['Two', 'One'])
    expect(listed).toEqual(await inbox.messages())
    expect(listed[0]!.receivedAt).toBe(new Date(listed[0]!.receivedAt).toISOString())
    expect(listed[0]!.date).toBe(new Date(listed[0]!.date!).toISOString())
  })

  it('filters by to, from and subject, case-insensitively, several at once with AND', async () => {
    await send({
      from: 'shop@example.com',
      to: 'bob@example.org',
      subject: 'Your order',
      text: 'x',
    })
    await send({
      from: 'bank@example.net',
      to: 'bob@example.org',
      bcc: 'audit@example.net',
      subject: 'Statement',
      text: 'x',
    })
    const subjects = async (query: string) =>
      ((await json(`/api/messages?${query}`)) as InboxMessage[]).map((m) => m.subject)
    expect(await subjects('to=AUDIT@')).toEqual(['Statement'])
    expect(await subjects('from=shop')).toEqual(['Your order'])
    expect(await subjects('subject=order')).toEqual(['Your order'])
    expect(await subjects('to=bob&from=bank')).toEqual(['Statement'])
    expect(await subjects('to=bob&subject=nothing')).toEqual([])
  })

  it('refuses an unknown or repeated query parameter with 400 rather than listing everything', async () => {
    for (const query of ['recipient=bob', 'to=a&to=b']) {
      const res = await api(`/api/messages?${query}`)
      expect(res.status).toBe(400)
      expect(await res.json()).toEqual({ error: expect.stringMatching(/recipient|twice/) })
    }
  })

  it('serves one message, its raw bytes and each attachment with type and file name', async () => {
    const m = await fixture()
    expect(await json(`/api/messages/${m.id}`)).toEqual(m)
    expect(m.attachments.map((a) => a.filename)).toEqual(['logo.png', 'Résumé "final".pdf'])

    const raw = await api(`/api/messages/${m.id}/raw`)
    expect(raw.headers.get('content-type')).toBe('message/rfc822')
    expect(Buffer.from(await raw.arrayBuffer())).toEqual(Buffer.from((await inbox.raw(m.id))!))

    const pdf = await api(`/api/messages/${m.id}/attachments/1`)
    expect(pdf.headers.get('content-type')).toBe('application/pdf')
    expect(pdf.headers.get('content-disposition')).toBe(
      "attachment; filename*=UTF-8''R%C3%A9sum%C3%A9%20%22final%22.pdf",
    )
    expect(await pdf.text()).toBe('%PDF-1.4')
    const logo = await api(`/api/messages/${m.id}/attachments/0`)
    expect(logo.headers.get('content-type')).toBe('image/png')
    expect(Buffer.from(await logo.arrayBuffer())).toEqual(PIXEL)
  })

  it('serves the HTML as a sandboxed document, its cid: images pointed at their parts', async () => {
    const m = await fixture()
    const res = await api(`/api/messages/${m.id}/html`)
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8')
    expect(res.headers.get('content-security-policy')).toMatch(/sandbox allow-popups/)
    expect(await res.text()).toContain(`<img src="/api/messages/${m.id}/attachments/0">`)
  })

  it('answers 404 for an id or an attachment that is not there, and for a message without HTML', async () => {
    const m = await fixture()
    await send({ from: 'a@example.com', to: 'b@example.org', text: 'plain only' })
    const plain = (await inbox.messages())[0]!
    for (const path of [
      '/api/messages/20990101T000000000Z-abcdef',
      '/api/messages/20990101T000000000Z-abcdef/raw',
      `/api/messages/${m.id}/attachments/2`,
      `/api/messages/${m.id}/attachments/-1`,
      `/api/messages/${m.id}/attachments/x`,
      `/api/messages/${plain.id}/html`,
      `/api/messages/${m.id}/nothing`,
      '/api/nothing',
      '/nothing',
    ]) {
      const res = await api(path)
      expect([path, res.status]).toEqual([path, 404])
      expect(await res.json()).toEqual({ error: expect.any(String) })
    }
  })

  it('answers 405 with the allowed methods for any other method', async () => {
    const post = await api('/api/messages', { method: 'POST', body: 'x' })
    expect(post.status).toBe(405)
    expect(post.headers.get('allow')).toBe('GET, HEAD, DELETE')
    const page = await api('/', { method: 'DELETE' })
    expect(page.status).toBe(405)
    expect(page.headers.get('allow')).toBe('GET, HEAD')
  })

  it('never reaches a file outside the store, however the id is written', async () => {
    for (const path of [
      '/api/messages/..%2F..%2F..%2F..%2Fetc%2Fpasswd',
      '/api/messages/%2e%2e/raw',
      '/api/messages/..%5C..%5Cetc%5Cpasswd/raw',
      '/api/messages/../../../../etc/passwd',
      '/api/messages/%00/raw',
      '/api/messages/.env/raw',
      '/assets/../package.json',
      '/assets/%2e%2e%2fpackage.json',
    ]) {
      const res = await rawRequest(path)
      expect([path, res.status]).toEqual([path, 404])
      expect(res.body).not.toMatch(/root:|"name"/)
    }
  })

  it('deletes one message (204, then 404) and all of them (204)', async () => {
    const m = await fixture()
    expect((await api(`/api/messages/${m.id}`, { method: 'DELETE' })).status).toBe(204)
    expect((await api(`/api/messages/${m.id}`, { method: 'DELETE' })).status).toBe(404)
    expect((await api(`/api/messages/${m.id}`)).status).toBe(404)
    await fixture()
    await fixture()
    expect((await api('/api/messages', { method: 'DELETE' })).status).toBe(204)
    expect(await inbox.messages()).toEqual([])
  })

  it('waits for a message: 200 with it when it arrives, 408 with an error at the timeout', async () => {
    // Whether the wait is registered before the message is stored or after, it is answered.
    const waiting = json('/api/messages/wait?to=late@example.org&timeoutMs=5000')
    await send({ from: 'a@example.com', to: 'late@example.org', subject: 'Late', text: 'x' })
    expect(((await waiting) as InboxMessage).subject).toBe('Late')
    const res = await api('/api/messages/wait?subject=never&timeoutMs=50')
    expect(res.status).toBe(408)
    expect(await res.json()).toEqual({
      error: 'waitFor timed out after 50 ms: no message matching { subject: "never" }',
    })
    expect((await api('/api/messages/wait?timeoutMs=soon')).status).toBe(400)
  })

  it('puts nosniff and a Content-Security-Policy on every response', async () => {
    const m = await fixture()
    for (const path of [
      '/',
      '/assets/app.js',
      '/assets/style.css',
      '/api/messages',
      `/api/messages/${m.id}/raw`,
      `/api/messages/${m.id}/attachments/0`,
      '/api/messages/none',
      '/nothing',
    ]) {
      const res = await api(path)
      expect([path, res.headers.get('x-content-type-options')]).toEqual([path, 'nosniff'])
      expect(res.headers.get('content-security-policy')).toMatch(/default-src 'none'/)
    }
    const page = await api('/')
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8')
    expect(page.headers.get('content-security-policy')).toBe(
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    )
    expect(await page.text()).not.toMatch(/<script(?![^>]*\bsrc=)|\son\w+=|style=/i)
  })

  it('answers only to loopback host names, and deletes only for its own page', async () => {
    const rebound = await rawRequest('/api/messages', { Host: 'attacker.example:8025' })
    expect(rebound.status).toBe(403)
    const { host } = new URL(inbox.httpUrl!)
    expect(
      (await rawRequest('/api/messages', { Host: `localhost:${new URL(inbox.httpUrl!).port}` }))
        .status,
    ).toBe(200)
    const crossSite = await rawRequest(
      '/api/messages',
      { Host: host, Origin: 'http://attacker.example' },
      'DELETE',
    )
    expect(crossSite.status).toBe(403)
  })
})

describe('the event stream', () => {
  it('sends one message event per arrival and one delete event per deletion', async () => {
    const events = await openEvents(`${inbox.httpUrl}/api/events`)
    try {
      expect(events.res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8')
      for (const subject of ['a', 'b', 'c']) {
        await send({ from: 'x@example.com', to: 'y@example.org', subject, text: subject })
      }
      const arrivals = [await events.next(), await events.next(), await events.next()]
      expect(arrivals.map((e) => [e.event, JSON.parse(e.data).subject])).toEqual([
        ['message', 'a'],
        ['message', 'b'],
        ['message', 'c'],
      ])
      expect(JSON.parse(arrivals[2]!.data)).toEqual((await inbox.messages())[0])
      // The next event is the deletion: no arrival was announced twice.
      const [newest] = await inbox.messages()
      await api(`/api/messages/${newest!.id}`, { method: 'DELETE' })
      expect(await events.next()).toEqual({
        event: 'delete',
        data: JSON.stringify({ id: newest!.id }),
      })
      await inbox.clear()
      const cleared = [await events.next(), await events.next()]
      expect(cleared.map((e) => e.event)).toEqual(['delete', 'delete'])
    } finally {
      events.close()
    }
  })
})
