// RFC 6376 section 5: signing a message, given as a string or streamed.
import { toCrlf } from '../encode/line-endings.js'
import { utf8Encode } from '../encode/utf8.js'
import { CRLF } from '../policy.js'
import type { StreamedMessage } from '../types.js'
import { dkimError } from './error.js'
import { splitMessage } from './message.js'
import { type DkimOptions, resolveOptions } from './options.js'
import { requireFrom, signatureField, signingKey, wholeBodyDigest } from './signer.js'
import { signStreamed } from './stream.js'

async function signRaw(raw: string, options: DkimOptions): Promise<string> {
  const config = resolveOptions(options)
  if (typeof raw !== 'string') throw dkimError('raw', 'the message to sign must be a string')
  let message = toCrlf(raw)
  // RFC 5321 4.1.1.4: SMTP ends the data with CRLF anyway. Adding it here means every verifier
  // hashes what a receiver gets; they disagree on WSP at the end of an unterminated last line.
  if (!message.endsWith(CRLF)) message += CRLF
  // A message that is all header gets the empty line that ends a header section: the body hash
  // is the same either way, and streaming verifiers (mailauth) only act once they see it.
  if (!message.startsWith(CRLF) && !message.includes(CRLF + CRLF)) message += CRLF
  const { fields, body } = splitMessage(message)
  requireFrom(fields, 'raw')
  const key = await signingKey(config)
  // RFC 6376 3.7: the body hash covers the canonicalized body, all of it (l= then says so).
  const digest = await wholeBodyDigest(config, utf8Encode(body))
  const field = await signatureField(config, key, fields, digest)
  return field + CRLF + message
}

/**
 * Signs a message with DKIM (RFC 6376) and returns it with a `DKIM-Signature` header field
 * prepended.
 *
 * A string message is normalised first: bare LF (or CR) line endings become CRLF, a missing
 * final CRLF is added, and a message that is all header gets the empty line that ends the
 * header. The returned message is the normalised one: send it exactly as returned.
 *
 * A {@link StreamedMessage} (from buildMessageStream) is read once, for the body hash, with
 * constant memory; the returned message's `stream()` gives the signature field and then reads
 * the message again, so the message must be replayable (its sources Blobs or bytes): a one-shot
 * message is a MimeError before anything is read. Its `size` is exact.
 *
 * Rejects with a `MimeError` naming the option at fault (`privateKey`, `algorithm`, `domain`,
 * `selector`, `headers`, `canonicalization`, ...) and never returns an unsigned message.
 *
 * @example
 * ```ts
 * import { buildMessage, buildMessageStream } from '@mail/mime'
 * import { signDkim } from '@mail/mime/dkim'
 *
 * const dkim = { domain: 'example.com', selector: 's1', privateKey: pem }
 * const raw = buildMessage({ from: 'news@example.com', to: 'bob@example.org', text: 'Hi' })
 * const signed = await signDkim(raw, dkim)
 *
 * const big = buildMessageStream({
 *   from: 'news@example.com', to: 'bob@example.org',
 *   attachments: [{ filename: 'report.pdf', content: await fs.openAsBlob('report.pdf') }],
 * })
 * const signedBig = await signDkim(big, dkim) // signedBig.stream() starts with DKIM-Signature
 * ```
 */
export function signDkim(raw: string, options: DkimOptions): Promise<string>
export function signDkim(message: StreamedMessage, options: DkimOptions): Promise<StreamedMessage>
export async function signDkim(
  message: string | StreamedMessage,
  options: DkimOptions,
): Promise<string | StreamedMessage> {
  if (typeof message === 'object' && message !== null && typeof message.stream === 'function') {
    return signStreamed(message, resolveOptions(options))
  }
  return signRaw(message as string, options)
}
