/// <reference lib="dom" />
// The functions given to page.evaluate run in the page, where the DOM is.
import { randomBytes } from 'node:crypto'
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sendmail } from '@mail/send'
import type { Browser, ConsoleMessage, Frame, Page } from 'playwright-core'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { launchChromium } from '../../scripts/chromium.mjs'
import { type Inbox, startInbox } from '../../src/index.js'
import { PIXEL, startCounter } from '../helpers/counter.js'

// One browser and one tab for the whole file, the page loaded afresh for each test: starting
// Chromium or opening a tab costs more than most of the tests below.
let browser: Browser
let page: Page
let inbox: Inbox
let dir: string
let counter: Awaited<ReturnType<typeof startCounter>>
/** Console errors and uncaught exceptions of the current test, with the document they came from. */
let problems: { text: string; url: string }[] = []
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'inbox-page-'))
  ;[browser, inbox, counter] = await Promise.all([
    launchChromium(),
    startInbox({ dir, smtp: { port: 0 }, http: { port: 0 } }),
    startCounter(),
  ])
  page = await browser.newPage()
  page.on('console', (m: ConsoleMessage) => {
    if (m.type() === 'error') problems.push({ text: m.text(), url: m.location().url })
  })
  page.on('pageerror', (e) => problems.push({ text: e.message, url: page.url() }))
})
afterAll(async () => {
  await Promise.all([browser?.close(), inbox?.close(), counter?.close()])
  await rm(dir, { recursive: true, force: true })
})

beforeEach(async () => {
  await inbox.clear()
  await page.setViewportSize({ width: 1280, height: 720 })
  await page.goto(`${inbox.httpUrl}/`)
  await page.getByRole('status').getByText('Live').waitFor()
  // The page has read the (empty) inbox and is idle: what a test measures starts from here.
  await page.getByText('No messages yet').waitFor()
  problems = []
})

const send = (message: Parameters<typeof sendmail>[0]) => sendmail(message, inbox.smtpUrl)

/** The message frame once its document (with its images) has loaded. */
async function messageFrame(remote: boolean): Promise<Frame> {
  const wanted = (f: Frame) =>
    /\/html(\?remote=1)?$/.test(f.url()) && f.url().endsWith('?remote=1') === remote
  const frame = page.frames().find(wanted) ?? (await page.waitForEvent('framenavigated', wanted))
  await frame.waitForLoadState('load')
  return frame
}

describe('the inbox page in Chromium', () => {
  it('shows a message sent with sendmail within a second, without a reload', async () => {
    let navigations = 0
    const count = (f: Frame) => f === page.mainFrame() && navigations++
    page.on('framenavigated', count)
    await send({
      from: 'Alice <alice@example.com>',
      to: 'bob@example.org',
      subject: 'Live arrival',
      text: 'hi',
      attachments: [{ filename: 'notes.txt', content: 'x' }],
    })
    const row = page.getByRole('option', { name: /Live arrival/ })
    await row.waitFor({ timeout: 1000 })
    await expect(row.textContent()).resolves.toMatch(
      /Alice.*Live arrival.*1 attachment.*to bob@example\.org/s,
    )
    page.off('framenavigated', count)
    expect(navigations).toBe(0)
    expect(problems).toEqual([])
  })

  it('renders the HTML with its cid: image and runs none of its scripts', async () => {
    await page.evaluate(() => {
      const seen: unknown[] = []
      Object.assign(window, { seen })
      window.addEventListener('message', (e) => seen.push(e.data))
    })
    const beacon = (what: string) =>
      `new Image().src='${counter.url}/${what}';top.postMessage('${what}','*')`
    const info = await send({
      from: 'shop@example.com',
      to: 'bob@example.org',
      subject: 'Hostile HTML',
      html:
        `<p id="hello">Hello</p><img id="logo" src="cid:logo@shop" alt="logo">` +
        `<script>${beacon('script')}</script>` +
        `<img src="/missing.png" onerror="${beacon('onerror')}">` +
        `<img id="remote" src="${counter.url}/remote.png" alt="">`,
      attachments: [{ filename: 'logo.png', content: PIXEL, cid: 'logo@shop' }],
    })
    await page.getByRole('option', { name: /Hostile HTML/ }).click()
    const frame = await messageFrame(false)
    await expect(frame.locator('#hello').textContent()).resolves.toBe('Hello')
    // The cid: image came from its part: decoded, it has the pixel's size.
    await expect(
      frame.locator('#logo').evaluate((img: HTMLImageElement) => img.naturalWidth),
    ).resolves.toBe(1)
    // The document has loaded, images included: the remote one was never asked for.
    expect(counter.count('/remote.png')).toBe(0)
    await page.getByRole('button', { name: 'Load remote images' }).click()
    const allowed = await messageFrame(true)
    await counter.requested('/remote.png')
    await expect(
      allowed.locator('#remote').evaluate((img: HTMLImageElement) => img.naturalWidth),
    ).resolves.toBe(1)
    // Loaded again with remote content allowed, the handlers would have had every chance to run.
    expect(counter.count('/script')).toBe(0)
    expect(counter.count('/onerror')).toBe(0)
    expect(await page.evaluate(() => (window as unknown as { seen: unknown[] }).seen)).toEqual([])
    // Chromium reports what it refused in the message's own document, never in the page.
    const messageDocument = `${inbox.httpUrl}/api/messages/${(await inbox.messages())[0]!.id}/html`
    expect(problems.length).toBeGreaterThan(0)
    for (const p of problems) expect(p.url.startsWith(messageDocument)).toBe(true)
    expect(info.accepted).toEqual(['bob@example.org'])
  })

  it('downloads an attachment with the bytes that were sent', async () => {
    const bytes = randomBytes(50_000)
    await send({
      from: 'a@example.com',
      to: 'b@example.org',
      subject: 'With a file',
      text: 'see attached',
      attachments: [{ filename: 'données.bin', content: bytes }],
    })
    await page.getByRole('option', { name: /With a file/ }).click()
    await page.getByRole('tab', { name: /Attachments \(1\)/ }).click()
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Download données.bin' }).click(),
    ])
    expect(download.suggestedFilename()).toBe('données.bin')
    expect(await readFile(await download.path())).toEqual(bytes)
    expect(problems).toEqual([])
  })

  it('deletes a message from the page and from the store', async () => {
    await send({ from: 'a@example.com', to: 'b@example.org', subject: 'Keep me', text: 'x' })
    await send({ from: 'a@example.com', to: 'b@example.org', subject: 'Delete me', text: 'x' })
    const [doomed] = await inbox.messages({ subject: 'Delete me' })
    await page.getByRole('option', { name: /Delete me/ }).click()
    await page.getByRole('button', { name: 'Delete', exact: true }).click()
    await page.getByRole('option', { name: /Delete me/ }).waitFor({ state: 'detached' })
    expect((await inbox.messages()).map((m) => m.subject)).toEqual(['Keep me'])
    expect((await readdir(dir)).filter((n) => n.startsWith(doomed!.id))).toEqual([])
    // Delete all asks for a second click, then empties the page and the store.
    await send({ from: 'a@example.com', to: 'b@example.org', subject: 'Also me', text: 'x' })
    await page.getByRole('option', { name: /Also me/ }).waitFor()
    await page.getByRole('button', { name: 'Delete all' }).click()
    await page.getByRole('button', { name: 'Delete 2?' }).click()
    await page.getByText('No messages yet').waitFor()
    expect(await inbox.messages()).toEqual([])
    expect((await readdir(dir)).filter((n) => n.endsWith('.eml'))).toEqual([])
    // A deletion made elsewhere (here through the library) reaches the open page too.
    await send({ from: 'a@example.com', to: 'b@example.org', subject: 'Last', text: 'x' })
    await page.getByRole('option', { name: /Last/ }).waitFor()
    await inbox.clear()
    await page.getByText('No messages yet').waitFor()
    expect(problems).toEqual([])
  })

  it('is usable with the keyboard: arrows move, Enter opens, Delete removes', async () => {
    for (const subject of ['First', 'Second', 'Third']) {
      await send({ from: 'a@example.com', to: 'b@example.org', subject, text: subject })
    }
    await page.getByRole('option', { name: /Third/ }).waitFor()
    await page.keyboard.press('/')
    await expect(page.evaluate(() => document.activeElement?.id)).resolves.toBe('search')
    await page.keyboard.press('ArrowDown')
    await page.keyboard.press('ArrowDown')
    const selected = page.getByRole('option', { selected: true })
    await expect(selected.textContent()).resolves.toContain('Second')
    await page.keyboard.press('Enter')
    await expect(page.getByRole('heading', { level: 2 }).textContent()).resolves.toBe('Second')
    await page.getByRole('option', { name: /Second/ }).focus()
    await page.keyboard.press('Delete')
    await page.getByRole('option', { name: /Second/ }).waitFor({ state: 'detached' })
    expect((await inbox.messages()).map((m) => m.subject)).toEqual(['Third', 'First'])
    // Focus moved on to the next message, which is open.
    await expect(page.evaluate(() => document.activeElement?.textContent)).resolves.toContain(
      'First',
    )
    expect(problems).toEqual([])
  })

  it('searches, and fits a phone-width screen', async () => {
    await send({ from: 'a@example.com', to: 'carol@example.org', subject: 'Invoice 7', text: 'x' })
    await send({ from: 'a@example.com', to: 'dave@example.org', subject: 'Welcome', text: 'x' })
    await page.getByRole('option', { name: /Welcome/ }).waitFor()
    await page.getByRole('searchbox').fill('CAROL')
    await page.getByRole('option', { name: /Welcome/ }).waitFor({ state: 'detached' })
    await expect(page.getByRole('option').count()).resolves.toBe(1)
    await page.setViewportSize({ width: 360, height: 740 })
    await page.getByRole('option', { name: /Invoice 7/ }).click()
    await page.getByRole('button', { name: 'Back to the list' }).waitFor()
    const overflow = () => page.evaluate(() => document.documentElement.scrollWidth)
    await expect(overflow()).resolves.toBeLessThanOrEqual(360)
    await page.getByRole('button', { name: 'Back to the list' }).click()
    await page.getByRole('option', { name: /Invoice 7/ }).waitFor()
    await expect(overflow()).resolves.toBeLessThanOrEqual(360)
    expect(problems).toEqual([])
  })
})
