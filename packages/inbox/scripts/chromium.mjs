// Debian's Chromium driven by playwright-core, for the browser tests and the README screenshot.
import { chromium } from 'playwright-core'

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

/**
 * Headless, and quiet on the network: without the background-networking switches Chromium
 * reaches out to Google's services at start, which a closed network (CI, this project's test
 * machines) refuses. Playwright gives every launch a fresh profile of its own.
 */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

export function launchChromium() {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS })
}
