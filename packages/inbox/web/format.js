// @ts-check
/** How the page writes sizes, times and addresses. Pure functions, no DOM. */

/** @typedef {import('../src/types.js').InboxMessage} InboxMessage */
/** @typedef {import('../src/types.js').InboxAddress} InboxAddress */

/**
 * @param {number} n octets
 * @returns {string} `512 B`, `1.5 KB`, `12.3 MB`
 */
export function formatBytes(n) {
  if (n < 1024) return `${n} B`
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`
  return `${(n / (1024 * 1024)).toFixed(1)} MB`
}

/**
 * The time for the list: the hour today, the day this year, the date otherwise.
 * @param {string} iso
 * @param {Date} [now]
 */
export function shortTime(iso, now = new Date()) {
  const d = new Date(iso)
  if (d.toDateString() === now.toDateString()) {
    return d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' })
  }
  if (d.getFullYear() === now.getFullYear()) {
    return d.toLocaleDateString(undefined, { month: 'short', day: 'numeric' })
  }
  return d.toLocaleDateString(undefined, { year: 'numeric', month: 'short', day: 'numeric' })
}

/** @param {string} iso */
export function longTime(iso) {
  return new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' })
}

/**
 * `Alice <alice@example.com>`, or the address alone.
 * @param {InboxAddress} a
 */
export function mailbox(a) {
  return a.name ? `${a.name} <${a.address}>` : a.address
}

/**
 * The name for the list: the display name, else the address.
 * @param {InboxAddress} a
 */
export function shortName(a) {
  return a.name || a.address || '(no sender)'
}

/**
 * Lower-cased text a search looks through.
 * @param {InboxMessage} m
 */
export function searchText(m) {
  return [
    mailbox(m.from),
    m.envelope.from,
    ...m.to.map(mailbox),
    ...m.cc.map(mailbox),
    ...m.envelope.to,
    m.subject,
  ]
    .join('\n')
    .toLowerCase()
}

// Attributes and CSS that make a mail client fetch something from the network.
const REMOTE_REFERENCE =
  /\b(?:src|srcset|background|poster|href)\s*=\s*["']?\s*(?:https?:)?\/\/|url\(\s*["']?\s*(?:https?:)?\/\//i

/**
 * Whether the HTML refers to remote content, to offer loading it. This only decides whether the
 * offer is shown; the message's Content-Security-Policy is what blocks the requests.
 * @param {string} html
 */
export function hasRemoteContent(html) {
  return REMOTE_REFERENCE.test(html.replace(/<a\b[^>]*>/gi, ''))
}
