// Which header fields a signature covers: RFC 6376 section 5.4.
import type { HeaderField } from './message.js'

/**
 * The fields signed by default, when present: those a recipient sees or a client acts upon.
 * RFC 6376 5.4.1 lists the fields that SHOULD be signed; this is that list minus the resent and
 * list-id fields a relay adds, plus the one-click unsubscribe fields of RFC 8058 section 4.
 */
export const DEFAULT_SIGNED_HEADERS: readonly string[] = [
  'from',
  'to',
  'cc',
  'subject',
  'date',
  'message-id',
  'mime-version',
  'content-type',
  'content-transfer-encoding',
  'reply-to',
  'in-reply-to',
  'references',
  'sender',
  'list-unsubscribe',
  'list-unsubscribe-post',
]

/** What goes into `h=`, and the field instances it designates, in hashing order. */
export interface HeaderSelection {
  names: string[]
  fields: HeaderField[]
}

/**
 * Lists each chosen name once per instance present and each oversigned name once more, so that an
 * instance added in transit is not covered and breaks the signature (RFC 6376 8.15). Names given
 * explicitly are listed even when absent, which signs their absence. Instances are taken from the
 * bottom up, as verifiers pair them (RFC 6376 5.4.2).
 */
export function selectHeaders(
  fields: readonly HeaderField[],
  chosen: readonly string[],
  oversign: readonly string[],
  signAbsent: boolean,
): HeaderSelection {
  const instances = new Map<string, HeaderField[]>()
  for (const field of fields) {
    const list = instances.get(field.name)
    if (list) list.push(field)
    else instances.set(field.name, [field])
  }
  const over = new Set(oversign)
  const names: string[] = []
  const signed: HeaderField[] = []
  const listName = (name: string, extra: boolean) => {
    const present = instances.get(name) ?? []
    for (let i = present.length - 1; i >= 0; i--) {
      names.push(name)
      signed.push(present[i]!)
    }
    if (extra || (signAbsent && present.length === 0)) names.push(name)
  }
  for (const name of chosen) {
    if (signAbsent || instances.has(name) || over.has(name)) listName(name, over.delete(name))
  }
  for (const name of over) listName(name, true)
  return { names, fields: signed }
}
