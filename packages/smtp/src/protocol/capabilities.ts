/**
 * What the server advertised in its EHLO reply, as plain JSON.
 *
 * @example
 * { extensions: { SIZE: ['35882577'], PIPELINING: [], AUTH: ['PLAIN', 'LOGIN'] },
 *   size: 35882577, auth: ['PLAIN', 'LOGIN'] }
 */
export interface Capabilities {
  /** Each extension keyword (upper-case) with its parameters. */
  extensions: Record<string, string[]>
  /** The SIZE limit in octets (RFC 1870), when one is advertised and not 0 (no limit). */
  size?: number
  /** AUTH mechanisms offered (RFC 4954), upper-case. */
  auth: string[]
}

/** Capabilities after HELO, or before any EHLO: nothing offered. */
export function emptyCapabilities(): Capabilities {
  return { extensions: {}, auth: [] }
}

/**
 * Parses the lines of a 250 EHLO reply (RFC 5321 4.1.1.1: the first line is the greeting, each
 * other line is `ehlo-keyword *(SP ehlo-param)`; keywords are case-insensitive).
 */
export function parseCapabilities(lines: readonly string[]): Capabilities {
  const extensions: Record<string, string[]> = {}
  for (const line of lines.slice(1)) {
    const words = line.trim().split(/\s+/)
    let keyword = (words.shift() ?? '').toUpperCase()
    if (keyword === '') continue
    // Some old servers write 'AUTH=PLAIN LOGIN'.
    if (keyword.startsWith('AUTH=')) {
      words.unshift(keyword.slice(5))
      keyword = 'AUTH'
    }
    const list = extensions[keyword] ?? []
    extensions[keyword] = list
    for (const w of words) {
      const param = keyword === 'AUTH' ? w.toUpperCase() : w
      if (param !== '' && !list.includes(param)) list.push(param)
    }
  }
  const caps: Capabilities = { extensions, auth: [...(extensions.AUTH ?? [])] }
  const size = Number(extensions.SIZE?.[0])
  if (Number.isSafeInteger(size) && size > 0) caps.size = size
  return caps
}

/** Whether an extension keyword was advertised. */
export function has(caps: Capabilities, keyword: string): boolean {
  return Object.hasOwn(caps.extensions, keyword)
}
