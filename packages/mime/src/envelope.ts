/** The SMTP envelope derived from the validated addresses. */
import { formatAddrSpec } from './address/format.js'
import { mailboxesOf } from './address/normalize.js'
import type { Envelope } from './types.js'
import type { NormalizedMessage } from './validate.js'

/**
 * from = sender ?? from; to = to + cc + bcc, group members included, de-duplicated comparing
 * domains case-insensitively and local parts exactly (RFC 5321 section 2.4), first spelling kept.
 */
export function envelopeOf(message: NormalizedMessage): Envelope {
  const sender = message.sender ?? message.from[0]!
  const to: string[] = []
  const seen = new Set<string>()
  for (const list of [message.to, message.cc, message.bcc]) {
    for (const m of mailboxesOf(list)) {
      const key = m.local + '@' + m.domain.toLowerCase()
      if (seen.has(key)) continue
      seen.add(key)
      to.push(formatAddrSpec(m.local, m.domain))
    }
  }
  return { from: formatAddrSpec(sender.local, sender.domain), to }
}
