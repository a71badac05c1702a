import { inputError, SmtpError } from '../errors.js'
import { type Capabilities, has } from './capabilities.js'
import { assertAddress, assertSingleLine, command, isAscii } from './commands.js'
import type { DsnOptions, Envelope } from './envelope.js'
import type { MessageSource } from './message.js'
import { utf8AddrXtext, xtext } from './xtext.js'

/** A validated transaction: every command line, ready to write. */
export interface Plan {
  mail: string
  rcpts: { address: string; line: string }[]
  /** Send with BDAT (RFC 3030) rather than DATA. */
  bdat: boolean
}

const NOTIFY = new Set(['NEVER', 'SUCCESS', 'FAILURE', 'DELAY'])

/**
 * Checks an envelope and message against what the server offers and builds the commands.
 * Everything that can fail without the server fails here, before the first command is written.
 */
export function planTransaction(
  envelope: Envelope,
  message: MessageSource,
  caps: Capabilities,
  options: { preferData: boolean; log?: (line: string) => void },
): Plan {
  if (envelope === null || typeof envelope !== 'object') throw inputError('envelope is required')
  assertAddress(envelope.from, 'from', true)
  if (!Array.isArray(envelope.to) || envelope.to.length === 0) {
    throw inputError('to must list at least one recipient')
  }
  for (let i = 0; i < envelope.to.length; i++) assertAddress(envelope.to[i]!, `to[${i}]`)
  const utf8 =
    envelope.smtputf8 === true || !isAscii(envelope.from) || !envelope.to.every((a) => isAscii(a))
  // RFC 6531 3.4: non-ASCII addresses need a server that offers SMTPUTF8.
  if (utf8 && !has(caps, 'SMTPUTF8')) {
    throw new SmtpError('An envelope address needs SMTPUTF8, which the server does not offer', {
      stage: 'mail',
    })
  }
  // RFC 1870 6: do not send what the server already said it will refuse.
  if (caps.size !== undefined && message.size > caps.size) {
    throw new SmtpError(
      `The message is ${message.size} octets; the server accepts at most ${caps.size} (SIZE)`,
      { stage: 'mail' },
    )
  }
  const bdat = has(caps, 'CHUNKING') && !options.preferData
  const mail: string[] = []
  if (has(caps, 'SIZE')) mail.push(`SIZE=${message.size}`)
  if (bdat && has(caps, 'BINARYMIME') && message.binary()) mail.push('BODY=BINARYMIME')
  else if (message.eightBit) {
    // RFC 6152 3: 8-bit content only to a server that offers 8BITMIME; never silently.
    if (!has(caps, '8BITMIME')) {
      throw inputError(
        'The message contains 8-bit octets but the server does not offer 8BITMIME; encode it as 7-bit (quoted-printable or base64)',
      )
    }
    mail.push('BODY=8BITMIME')
  }
  if (utf8) mail.push('SMTPUTF8')
  const dsn = envelope.dsn
  const useDsn = dsn !== undefined && has(caps, 'DSN')
  if (dsn !== undefined) {
    checkDsn(dsn)
    if (!useDsn) options.log?.('DSN requested but not offered by the server: sent without it')
  }
  if (useDsn && dsn.ret !== undefined) mail.push(`RET=${dsn.ret}`)
  if (useDsn && dsn.envid !== undefined) mail.push(`ENVID=${xtext(dsn.envid, 'dsn.envid')}`)
  const rcpts = envelope.to.map((address) => {
    const params: string[] = []
    if (useDsn && dsn.notify !== undefined) params.push(`NOTIFY=${dsn.notify.join(',')}`)
    if (useDsn && dsn.orcpt === true) {
      // RFC 3461 4.2 ORCPT=rfc822;xtext, RFC 6533 3 utf-8;unitext for non-ASCII addresses.
      params.push(
        isAscii(address)
          ? `ORCPT=rfc822;${xtext(address, 'to')}`
          : `ORCPT=utf-8;${utf8AddrXtext(address)}`,
      )
    }
    return { address, line: command.rcptTo(address, params) }
  })
  return { mail: command.mailFrom(envelope.from, mail), rcpts, bdat }
}

function checkDsn(dsn: DsnOptions): void {
  if (dsn.ret !== undefined && dsn.ret !== 'FULL' && dsn.ret !== 'HDRS') {
    throw inputError(`dsn.ret must be 'FULL' or 'HDRS'`)
  }
  if (dsn.envid !== undefined) {
    assertSingleLine(dsn.envid, 'dsn.envid')
    if (dsn.envid.length === 0 || dsn.envid.length > 100) {
      throw inputError('dsn.envid must be 1 to 100 characters')
    }
    xtext(dsn.envid, 'dsn.envid')
  }
  if (dsn.notify !== undefined) {
    if (!Array.isArray(dsn.notify) || dsn.notify.length === 0) {
      throw inputError('dsn.notify must be a non-empty array')
    }
    for (const n of dsn.notify) {
      if (typeof n !== 'string' || !NOTIFY.has(n)) {
        throw inputError(`dsn.notify has an unknown value: ${JSON.stringify(n)}`)
      }
    }
    // RFC 3461 4.1: NEVER excludes the others.
    if (dsn.notify.includes('NEVER') && dsn.notify.length > 1) {
      throw inputError("dsn.notify 'NEVER' cannot be combined with other values")
    }
  }
}
