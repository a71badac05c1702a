// Shape of the JSON the scenario (../scenario/scenario.mjs) prints, and helpers to read it and
// what the test servers received.
import type { ReceivedMessage } from '@mail/testkit'

export interface Envelope {
  from: string
  to: string[]
}

export interface BuiltMessage {
  raw: string
  messageId: string
  envelope: Envelope
  smtputf8: boolean
  eightBit: boolean
  getEnvelope: Envelope
}

export interface SendInfo {
  messageId: string
  envelope: Envelope
  accepted: string[]
  rejected: unknown[]
  response: string
}

export interface StepError {
  name?: string
  message: string
  stack: string
  field?: string
  code?: number
  stage?: string
}

export interface ScenarioResult {
  runtime: string
  errors: Record<string, StepError>
  built?: Record<string, BuiltMessage>
  mimeError?: { isMimeError: boolean; name?: string; field?: string; thrown?: boolean }
  dkim?: { unsigned: string; rsa: string; rsaPkcs1: string; ed25519: string }
  streamed?: { raw: string; size: number; signedStream: string; signedString: string }
  plainSend?: { info: SendInfo; expectedRaw: string; expectedEnvelope: Envelope }
  tlsSend?: {
    secure: boolean
    sends: { name: string; raw: string; envelope: Envelope; result: { accepted: string[] } }[]
  }
  implicitSend?: {
    secure: boolean
    raw: string
    envelope: Envelope
    result: { accepted: string[] }
  }
  tlsUntrusted?: { refused: boolean; error?: StepError }
  dkimSend?: { info: SendInfo }
}

type StepKey = Exclude<keyof ScenarioResult, 'runtime' | 'errors'>

/** The output of one scenario step; throws with the runtime's own error when the step failed. */
export function step<K extends StepKey>(
  result: ScenarioResult,
  key: K,
): NonNullable<ScenarioResult[K]> {
  const error = result.errors[key]
  if (error) {
    const details = [
      error.name,
      error.field && `field=${error.field}`,
      error.stage && `stage=${error.stage}`,
    ]
    throw new Error(
      `step '${key}' failed on ${result.runtime}: ${details.filter(Boolean).join(' ')}: ${error.message}\n${error.stack}`,
    )
  }
  const value = result[key]
  if (value === undefined || value === null) throw new Error(`step '${key}' produced nothing`)
  return value as NonNullable<ScenarioResult[K]>
}

/** The received message whose Message-ID header is `id` (with angle brackets). */
export function byMessageId(list: ReceivedMessage[], id: string): ReceivedMessage {
  const escaped = id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  const header = new RegExp(`(^|\r\n)Message-ID:[ \t]*${escaped}\r\n`, 'i')
  const found = list.filter((m) => header.test(m.data.toString('utf8')))
  if (found.length !== 1) {
    throw new Error(`expected one received message with Message-ID ${id}, found ${found.length}`)
  }
  return found[0]!
}

/**
 * The octets a server must receive for `raw`: the string as UTF-8, plus the CRLF that the client
 * adds before the final "." when the message does not end with one (RFC 5321 4.1.1.4), e.g. a
 * single-part base64 message.
 */
export const onWire = (raw: string): Buffer =>
  Buffer.from(raw.endsWith('\r\n') ? raw : `${raw}\r\n`, 'utf8')
