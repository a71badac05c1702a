import { type BuildOptions, composeMessage, domainToAscii, type MessageInput } from '@mail/mime'
import type { DkimOptions } from '@mail/mime/dkim'
import { assertAddress, type Envelope } from '@mail/smtp'
import { SendError } from './errors.js'
import type { EnvelopeInput, SendMessage } from './types.js'

/** A message built, signed and ready for the wire, with everything its result reports. */
export interface PreparedMessage {
  raw: string
  messageId: string
  /** The envelope reported in the result. */
  envelope: EnvelopeInput
  /** The envelope handed to the SMTP client (with SMTPUTF8 when the message needs it). */
  smtpEnvelope: Envelope
}

/**
 * Validates and builds a message: every `MimeError` and envelope error is thrown here, before
 * any connection is opened. DKIM signing (asynchronous, WebCrypto) comes after, in {@link sign}.
 */
export function prepare(message: SendMessage, build: BuildOptions | undefined): PreparedMessage {
  if (typeof message !== 'object' || message === null) {
    throw new SendError('envelope', 'The message must be an object', { field: 'message' })
  }
  let input: MessageInput = message
  let explicit: EnvelopeInput | undefined
  if (message.envelope !== undefined) {
    const { envelope, ...rest } = message
    explicit = checkEnvelope(envelope, build?.smtputf8 === true)
    input = rest
  }
  const composed = composeMessage(input, build)
  const envelope = explicit ?? composed.envelope
  if (envelope.to.length === 0) {
    throw new SendError('envelope', 'The message has no recipients: to, cc and bcc are empty', {
      field: 'to',
    })
  }
  const smtpEnvelope: Envelope = { from: envelope.from, to: envelope.to }
  if (composed.smtputf8) smtpEnvelope.smtputf8 = true
  return { raw: composed.raw, messageId: composed.messageId, envelope, smtpEnvelope }
}

function checkEnvelope(envelope: unknown, smtputf8: boolean): EnvelopeInput {
  if (typeof envelope !== 'object' || envelope === null) {
    throw new SendError('envelope', 'envelope must be { from: string; to: string[] }', {
      field: 'envelope',
    })
  }
  const { from, to } = envelope as { from?: unknown; to?: unknown }
  checkPath(from, 'envelope.from', true)
  if (!Array.isArray(to) || to.length === 0) {
    throw new SendError('envelope', 'envelope.to must be a non-empty array of addresses', {
      field: 'envelope.to',
    })
  }
  to.forEach((address, i) => {
    checkPath(address, `envelope.to[${i}]`, false)
  })
  if (smtputf8) return { from: from as string, to: [...(to as string[])] }
  return {
    from: asciiDomain(from as string, 'envelope.from'),
    to: (to as string[]).map((address, i) => asciiDomain(address, `envelope.to[${i}]`)),
  }
}

/**
 * A Unicode domain after an ASCII local part in Punycode, as in the derived envelope (without
 * SMTPUTF8 the path must be ASCII; a Unicode local part needs SMTPUTF8 and is left as it is).
 */
const NON_ASCII = /[^\x00-\x7f]/

function asciiDomain(address: string, field: string): string {
  const at = address.lastIndexOf('@')
  const local = address.slice(0, at)
  const domain = address.slice(at + 1)
  if (at < 0 || domain.startsWith('[') || !NON_ASCII.test(domain) || NON_ASCII.test(local)) {
    return address
  }
  try {
    return `${local}@${domainToAscii(domain)}`
  } catch (error) {
    throw new SendError('envelope', `${field}: ${(error as Error).message}`, { field })
  }
}

/**
 * RFC 5321 section 4.1.2: a path is a bare address; the reverse-path may be empty (null sender,
 * for bounces). The same check as the SMTP client's, so every transport accepts the same
 * envelopes.
 */
function checkPath(address: unknown, field: string, mayBeEmpty: boolean): void {
  if (typeof address !== 'string') {
    throw new SendError('envelope', `${field} must be a string`, { field })
  }
  try {
    assertAddress(address, field, mayBeEmpty)
  } catch (error) {
    throw new SendError(
      'envelope',
      `${(error as Error).message} (a bare address like user@example.com)`,
      { field },
    )
  }
}

type Signer = (raw: string, options: DkimOptions) => Promise<string>
let signer: Promise<Signer> | undefined

/** Loaded on first use, so importing @mail/send without DKIM does not load the signer. */
function loadSigner(): Promise<Signer> {
  signer ??= import('@mail/mime/dkim').then((m) => m.signDkim)
  return signer
}

/**
 * Adds one DKIM-Signature per options object (RFC 6376), in order: the last one given ends up on
 * top. A bad key rejects with `MimeError`; the message is never sent unsigned.
 */
export async function sign(raw: string, dkim: readonly DkimOptions[]): Promise<string> {
  if (dkim.length === 0) return raw
  const signDkim = await loadSigner()
  let signed = raw
  for (const options of dkim) signed = await signDkim(signed, options)
  return signed
}
