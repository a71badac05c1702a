import type { InboxAttachment } from '../types.js'

/** Where remote content may come from once the reader allows it. */
const REMOTE = ' http: https:'

/**
 * The policy of a message's HTML document. It runs nothing (no script source at all, and the
 * `sandbox` directive without allow-scripts, also when opened outside the page); images come
 * from the message's own parts or data: URLs, and from the network only with `remote`. Links
 * may open in a new tab, outside the sandbox, as they would from a mail client.
 */
export function messageCsp(remote: boolean): string {
  const r = remote ? REMOTE : ''
  return [
    "default-src 'none'",
    `img-src 'self' data:${r}`,
    `style-src 'self' 'unsafe-inline'${r}`,
    `font-src 'self' data:${r}`,
    `media-src 'self' data:${r}`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'self'",
    'sandbox allow-popups allow-popups-to-escape-sandbox',
  ].join('; ')
}

function decodeCid(value: string): string {
  try {
    return decodeURIComponent(value)
  } catch {
    return value
  }
}

/**
 * `cid:` URLs of the HTML pointed at the parts they name (RFC 2392: the Content-ID,
 * percent-encoded, without angle brackets), served by the attachment route. A cid naming no
 * part is left as it is.
 *
 * @example
 * resolveCids('<img src="cid:logo">', '20261128T201050123Z-ab12cd', [{ cid: 'logo', contentType: 'image/png', size: 9 }])
 * // '<img src="/api/messages/20261128T201050123Z-ab12cd/attachments/0">'
 */
export function resolveCids(html: string, id: string, attachments: InboxAttachment[]): string {
  const parts = new Map<string, number>()
  attachments.forEach((a, index) => {
    if (a.cid && !parts.has(a.cid.toLowerCase())) parts.set(a.cid.toLowerCase(), index)
  })
  if (parts.size === 0) return html
  return html.replace(/\bcid:([^\s"'()<>\\]+)/gi, (whole, cid: string) => {
    const index = parts.get(decodeCid(cid).toLowerCase())
    return index === undefined ? whole : `/api/messages/${id}/attachments/${index}`
  })
}

const BASE = '<base target="_blank">'

/** Links open in a new tab: `<base target>` placed where the document's head begins. */
export function openLinksInNewTab(html: string): string {
  for (const start of [/<head\b[^>]*>/i, /<html\b[^>]*>/i, /<!doctype\b[^>]*>/i]) {
    const match = start.exec(html)
    if (match) {
      const end = match.index + match[0].length
      return `${html.slice(0, end)}${BASE}${html.slice(end)}`
    }
  }
  return `${BASE}${html}`
}
