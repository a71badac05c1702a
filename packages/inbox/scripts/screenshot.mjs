#!/usr/bin/env node
// Takes the README's screenshot of the inbox page: a few sample messages are sent into an
// in-memory inbox, the page is opened in Chromium and photographed with one message open.
// Needs `pnpm build` first. Usage: node packages/inbox/scripts/screenshot.mjs [out.png]
import { resolve } from 'node:path'
import { sendmail } from '@mail/send'
import { startInbox } from '../dist/index.js'
import { launchChromium } from './chromium.mjs'

const out = resolve(process.argv[2] ?? resolve(import.meta.dirname, '../docs/screenshot.png'))

const logo = `<svg xmlns="http://www.w3.org/2000/svg" width="150" height="32" viewBox="0 0 150 32">
<rect width="32" height="32" rx="8" fill="#0f766e"/><path d="M9 22V10l7 8 7-8v12" fill="none" stroke="#fff" stroke-width="2.6" stroke-linecap="round" stroke-linejoin="round"/>
<text x="42" y="22" font-family="Helvetica, Arial, sans-serif" font-size="17" font-weight="700" fill="#0f172a">Meridian</text></svg>`

const welcome = `<!doctype html><html><body style="margin:0;background:#f4f5f7;font-family:Helvetica,Arial,sans-serif;color:#1f2937">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0"><tr><td align="center" style="padding:36px 16px">
<table role="presentation" width="520" cellpadding="0" cellspacing="0" style="background:#fff;border-radius:10px;border:1px solid #e5e7eb">
<tr><td style="padding:28px 36px 8px"><img src="cid:logo@meridian" width="150" height="32" alt="Meridian"></td></tr>
<tr><td style="padding:8px 36px 4px"><h1 style="margin:0;font-size:22px;color:#0f172a">Welcome aboard, Ada</h1></td></tr>
<tr><td style="padding:8px 36px;font-size:15px;line-height:1.6">Your workspace <b>Analytical Engines</b> is ready. Confirm your e-mail address to invite your team and start your first project.</td></tr>
<tr><td style="padding:16px 36px"><a href="https://app.meridian.example/confirm?t=4f9c2e" style="display:inline-block;background:#0f766e;color:#fff;text-decoration:none;font-weight:600;padding:11px 20px;border-radius:6px">Confirm e-mail address</a></td></tr>
<tr><td style="padding:8px 36px 28px;font-size:13px;color:#6b7280">This link expires in 24 hours. If you did not sign up, ignore this message.</td></tr>
</table><p style="font-size:12px;color:#9ca3af">Meridian Labs · 12 Harbour Street · Bristol</p></td></tr></table></body></html>`

const messages = [
  {
    from: 'GitHub Actions <builds@ci.example.com>',
    to: 'dev-team@example.com',
    subject: 'Build #482 passed on main',
    text: 'All 1,204 tests passed in 3 m 12 s.\n\nCommit 9f3e1c2: inbox: live list over SSE\n',
  },
  {
    from: 'Billing <billing@meridian.example>',
    to: 'Ada Lovelace <ada@analytical.example>',
    subject: 'Invoice INV-2041 for November',
    text: 'Your invoice for November is attached. Total: EUR 49.00.\n',
    attachments: [{ filename: 'INV-2041.pdf', content: '%PDF-1.4\n% sample invoice\n' }],
  },
  {
    from: 'Meridian Weekly <digest@news.meridian.example>',
    to: 'ada@analytical.example',
    subject: 'Your weekly digest: 3 projects moved forward',
    html: '<p>Highlights of the week</p><img src="https://cdn.meridian.example/digest/banner.png" alt="">',
    text: 'Highlights of the week',
  },
  {
    from: 'Support <help@meridian.example>',
    to: 'Ada Lovelace <ada@analytical.example>',
    cc: 'Charles Babbage <charles@analytical.example>',
    subject: 'Re: Ticket #1193: export fails with large files',
    text: 'Thanks, we could reproduce it. A fix ships on Monday.\n',
    attachments: [{ filename: 'export-log.txt', content: 'ERROR export: 413 payload too large\n' }],
  },
  {
    from: 'Meridian <security@meridian.example>',
    to: 'ada@analytical.example',
    subject: 'Reset your password',
    text: 'Use this link to choose a new password: https://app.meridian.example/reset?t=81d0\n',
    html: '<p>Use <a href="https://app.meridian.example/reset?t=81d0">this link</a> to choose a new password.</p>',
  },
  {
    from: 'Meridian <hello@meridian.example>',
    to: 'Ada Lovelace <ada@analytical.example>',
    subject: 'Welcome to Meridian, Ada',
    text: 'Welcome aboard, Ada. Confirm your e-mail address: https://app.meridian.example/confirm?t=4f9c2e\n',
    html: welcome,
    attachments: [
      { filename: 'logo.svg', content: logo, contentType: 'image/svg+xml', cid: 'logo@meridian' },
      { filename: 'Getting started.pdf', content: '%PDF-1.4\n% getting started\n' },
    ],
  },
]

const inbox = await startInbox({ dir: ':memory:', smtp: { port: 0 }, http: { port: 0 } })
const browser = await launchChromium()
try {
  for (const message of messages) await sendmail(message, inbox.smtpUrl)
  const page = await browser.newPage({
    viewport: { width: 1280, height: 760 },
    colorScheme: 'light',
  })
  await page.goto(`${inbox.httpUrl}/`)
  await page.getByRole('option', { name: /Welcome to Meridian/ }).click()
  await page
    .frameLocator('iframe.html-frame')
    .getByRole('link', { name: 'Confirm e-mail address' })
    .waitFor()
  // The list's newest row is marked for a moment when it arrives; photograph it settled.
  await page.waitForFunction(() => document.getAnimations().length === 0)
  await page.screenshot({ path: out })
  console.log(`screenshot: ${out}`)
} finally {
  await browser.close()
  await inbox.close()
}
