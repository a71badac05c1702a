/** Turns AddressLike input into validated mailboxes whose domains are in wire form. */
import { isAscii } from '../encode/utf8.js'
import { assertSingleLine, MimeError } from '../errors.js'
import { ADDRESS_KEYS, assertKnownKeys } from '../keys.js'
import type { AddressLike } from '../types.js'
import { domainToAscii } from './idna.js'
import { parseAddressList, parseAddrSpec } from './parse.js'
import { type AddressEntry, isGroup, type Mailbox } from './types.js'

/** Local-part characters: printable ASCII and space (inside quotes), or any non-ASCII. */
const BAD_LOCAL_CHAR = /[\x00-\x1f\x7f]/

/**
 * Checks one parsed mailbox and rewrites its domain into wire form: Punycode unless SMTPUTF8
 * output was asked for (RFC 6531/6532), in which case Unicode stays as written.
 */
function finishMailbox(mailbox: Mailbox, field: string, smtputf8: boolean): Mailbox {
  if (mailbox.local === '') throw new MimeError(field, 'empty local part')
  if (BAD_LOCAL_CHAR.test(mailbox.local)) {
    throw new MimeError(field, 'local part contains a control character')
  }
  if (!smtputf8 && !isAscii(mailbox.local)) {
    throw new MimeError(
      field,
      `non-ASCII local part in "${mailbox.local}@${mailbox.domain}" needs SMTPUTF8 (set the smtputf8 option)`,
    )
  }
  if (!smtputf8 && !mailbox.domain.startsWith('[')) {
    try {
      mailbox.domain = domainToAscii(mailbox.domain)
    } catch (err) {
      throw new MimeError(field, (err as Error).message)
    }
  }
  return mailbox
}

function parseOne(value: unknown, field: string, allowGroups: boolean, smtputf8: boolean) {
  let entries: AddressEntry[]
  if (typeof value === 'string') {
    assertSingleLine(value, field)
    entries = parseAddressList(value, field, allowGroups)
  } else if (typeof value === 'object' && value !== null && 'address' in value) {
    assertKnownKeys(value, ADDRESS_KEYS, `${field}.`)
    const { name, address } = value as { name?: unknown; address: unknown }
    if (typeof address !== 'string') throw new MimeError(field, 'address must be a string')
    if (name !== undefined && typeof name !== 'string') {
      throw new MimeError(field, 'name must be a string')
    }
    assertSingleLine(address, field)
    if (name !== undefined) assertSingleLine(name, field)
    const mailbox = parseAddrSpec(address, field)
    mailbox.name = name ?? ''
    entries = [mailbox]
  } else {
    throw new MimeError(field, 'must be an address string or { name?, address }')
  }
  for (const entry of entries) {
    if (isGroup(entry)) for (const m of entry.members) finishMailbox(m, field, smtputf8)
    else finishMailbox(entry, field, smtputf8)
  }
  return entries
}

/**
 * Parses an AddressLike or an array of them. Errors name `field`, or `field[i]` for the i-th
 * array element.
 *
 * @example normalizeAddresses(['a@example.com', 'B <b@example.org>'], 'to', true, false)
 */
export function normalizeAddresses(
  value: AddressLike | AddressLike[] | undefined,
  field: string,
  allowGroups: boolean,
  smtputf8: boolean,
): AddressEntry[] {
  if (value === undefined) return []
  if (!Array.isArray(value)) return parseOne(value, field, allowGroups, smtputf8)
  const entries: AddressEntry[] = []
  for (let i = 0; i < value.length; i++) {
    for (const e of parseOne(value[i], `${field}[${i}]`, allowGroups, smtputf8)) entries.push(e)
  }
  return entries
}

/** Every mailbox of a list, group members included (for the envelope). */
export function mailboxesOf(entries: AddressEntry[]): Mailbox[] {
  const out: Mailbox[] = []
  for (const e of entries) {
    if (isGroup(e)) for (const m of e.members) out.push(m)
    else out.push(e)
  }
  return out
}
