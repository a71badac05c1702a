import { inputError, SmtpError } from '../errors.js'
import { type Capabilities, has } from './capabilities.js'
import { assertAddress, assertSafeText, command, isAscii } from './commands.js'
import type { DsnOptions, Envelope } from './envelope.js'
import type { Body } from './stream.js'
import { shown } from './text.js'
import { utf8AddrXtext, xtext } from './xtext.js'

/** A validated transaction: every command line, ready to write. */
export interface Plan {
  mail: string
  rcpts: { address: string; line: string }[]
  /** Send with BDAT (RFC 3030) rather than DATA. */
  bdat: boolean
  /**
   * A streamed message of unknown content goes without BODY=8BITMIME: each chunk is checked for
   * 8-bit octets while it is sent (RFC 6152 3).
   */
  sevenBit?: true
}

const NOTIFY = new Set(['NEVER', 'SUCCESS', 'FAILURE', 'DELAY'])

/**
 * Checks an envelope and message against what the server offers and builds the commands.
 * Everything that can fail without the server fails here, before the first command is written.
 */
export function planTransaction(
  envelope: Envelope,
  message: Body,
  caps: Capabilities,
  options: { preferData: boolean; log?: (line: string) => void; memo?: EnvelopeMemo },
): Plan {
  if (envelope === null || typeof envelope !== 'object') {
    throw inputError('envelope is required', 'envelope')
  }
  const memo = options.memo
  // The memo, when it holds this very envelope already checked.
  const known = memo?.matches(envelope, caps) === true ? memo : undefined
  if (known === undefined) {
    assertAddress(envelope.from, 'from', true)
    if (!Array.isArray(envelope.to) || envelope.to.length === 0) {
      throw inputError('to must list at least one recipient', 'to')
    }
    for (let i = 0; i < envelope.to.length; i++) assertAddress(envelope.to[i]!, `to[${i}]`)
  }
  const streamed = message.streamed === true
  const addressUtf8 =
    known !== undefined
      ? known.utf8
      : envelope.smtputf8 === true ||
        !isAscii(envelope.from) ||
        !envelope.to.every((a) => isAscii(a))
  const utf8 = addressUtf8 || (streamed && message.smtputf8)
  // RFC 6531 3.4: non-ASCII addresses need a server that offers SMTPUTF8.
  if (utf8 && !has(caps, 'SMTPUTF8')) {
    const what = addressUtf8 ? 'An envelope address' : 'The message'
    throw new SmtpError(`${what} needs SMTPUTF8, which the server does not offer`, {
      stage: 'mail',
      hint: 'needs-smtputf8',
    })
  }
  // RFC 1870 6: do not send what the server already said it will refuse. A stream's size is
  // what its source declared (a message built with CRLF line ends, as it is on the wire).
  const size = streamed ? message.size : has(caps, 'SIZE') ? message.wireSize() : message.size
  if (size !== undefined && caps.size !== undefined && size > caps.size) {
    throw new SmtpError(
      `The message is ${size} octets; the server accepts at most ${caps.size} (SIZE)`,
      { stage: 'mail', hint: 'message-too-large', size: { message: size, limit: caps.size } },
    )
  }
  const bdat = has(caps, 'CHUNKING') && !options.preferData
  const mail: string[] = []
  if (size !== undefined && has(caps, 'SIZE')) mail.push(`SIZE=${size}`)
  let sevenBit = false
  if (!streamed && bdat && has(caps, 'BINARYMIME') && message.binary()) {
    mail.push('BODY=BINARYMIME')
  } else if (message.eightBit === true) {
    // RFC 6152 3: 8-bit content only to a server that offers 8BITMIME; never silently.
    if (!has(caps, '8BITMIME')) {
      throw new SmtpError(
        'The message contains 8-bit octets but the server does not offer 8BITMIME; encode it as 7-bit (quoted-printable or base64)',
        { stage: 'input', field: 'raw', hint: 'needs-8bitmime' },
      )
    }
    mail.push('BODY=8BITMIME')
  } else if (message.eightBit === undefined) {
    // A stream of unknown content: declared 8-bit where that is allowed, else checked as sent.
    if (has(caps, '8BITMIME')) mail.push('BODY=8BITMIME')
    else sevenBit = true
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
  const rcpts = known?.rcpts ?? rcptLines(envelope, useDsn ? dsn : undefined)
  if (known === undefined && dsn === undefined) memo?.remember(envelope, caps, addressUtf8, rcpts)
  const plan: Plan = { mail: command.mailFrom(envelope.from, mail), rcpts, bdat }
  if (sevenBit) plan.sevenBit = true
  return plan
}

function rcptLines(envelope: Envelope, dsn: DsnOptions | undefined): Plan['rcpts'] {
  return envelope.to.map((address) => {
    const params: string[] = []
    if (dsn?.notify !== undefined) params.push(`NOTIFY=${dsn.notify.join(',')}`)
    if (dsn?.orcpt === true) {
      // RFC 3461 4.2 ORCPT=rfc822;xtext, RFC 6533 3 utf-8;unitext for non-ASCII addresses.
      params.push(
        isAscii(address)
          ? `ORCPT=rfc822;${xtext(address, 'to')}`
          : `ORCPT=utf-8;${utf8AddrXtext(address)}`,
      )
    }
    return { address, line: command.rcptTo(address, params) }
  })
}

/**
 * The checked envelope of the last transaction planned on a connection: a run of sends with the
 * same sender and recipients (and no DSN) skips checking and formatting them again.
 *
 * @example
 * const memo = new EnvelopeMemo()
 * planTransaction(envelope, message, caps, { preferData: false, memo }) // checks, remembers
 * planTransaction(envelope, other, caps, { preferData: false, memo })   // reuses the RCPT lines
 */
export class EnvelopeMemo {
  private from: string | undefined
  private to: string[] = []
  private smtputf8 = false
  private caps: Capabilities | undefined
  utf8 = false
  rcpts: Plan['rcpts'] = []

  /** The envelope has the very values remembered, for the same server capabilities. */
  matches(envelope: Envelope, caps: Capabilities): boolean {
    if (caps !== this.caps || envelope.dsn !== undefined) return false
    if (envelope.from !== this.from || (envelope.smtputf8 === true) !== this.smtputf8) return false
    const to = envelope.to
    if (!Array.isArray(to) || to.length !== this.to.length) return false
    for (let i = 0; i < to.length; i++) if (to[i] !== this.to[i]) return false
    return true
  }

  remember(envelope: Envelope, caps: Capabilities, utf8: boolean, rcpts: Plan['rcpts']): void {
    this.from = envelope.from
    // A copy: the caller may change its array before the next send.
    this.to = [...envelope.to]
    this.smtputf8 = envelope.smtputf8 === true
    this.caps = caps
    this.utf8 = utf8
    this.rcpts = rcpts
  }
}

function checkDsn(dsn: DsnOptions): void {
  if (dsn.ret !== undefined && dsn.ret !== 'FULL' && dsn.ret !== 'HDRS') {
    throw inputError(`dsn.ret must be 'FULL' or 'HDRS'`, 'dsn.ret')
  }
  if (dsn.envid !== undefined) {
    if (typeof dsn.envid !== 'string') throw inputError('dsn.envid must be a string', 'dsn.envid')
    // RFC 3461 4.4: printable US-ASCII; controls are refused rather than xtext-encoded.
    assertSafeText(dsn.envid, 'dsn.envid')
    if (dsn.envid.length === 0 || dsn.envid.length > 100) {
      throw inputError('dsn.envid must be 1 to 100 characters', 'dsn.envid')
    }
    xtext(dsn.envid, 'dsn.envid')
  }
  if (dsn.notify !== undefined) {
    if (!Array.isArray(dsn.notify) || dsn.notify.length === 0) {
      throw inputError('dsn.notify must be a non-empty array', 'dsn.notify')
    }
    for (const n of dsn.notify) {
      if (typeof n !== 'string' || !NOTIFY.has(n)) {
        throw inputError(`dsn.notify has an unknown value: ${shown(String(n))}`, 'dsn.notify')
      }
    }
    // RFC 3461 4.1: NEVER excludes the others.
    if (dsn.notify.includes('NEVER') && dsn.notify.length > 1) {
      throw inputError("dsn.notify 'NEVER' cannot be combined with other values", 'dsn.notify')
    }
  }
}
