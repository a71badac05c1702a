import type { Browser } from 'playwright-core'

export declare const CHROMIUM: string
export declare const CHROMIUM_ARGS: string[]
/** Launches Debian's Chromium headless, with a fresh profile and no background networking. */
export declare function launchChromium(): Promise<Browser>
