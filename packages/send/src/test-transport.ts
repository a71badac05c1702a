import type { BuildOptions } from '@mail/mime'
import type { DkimOptions } from '@mail/mime/dkim'
import { abortReason, SendError, transportError } from './errors.js'
import { prepare, sign } from './prepare.js'
import { sendInOrder } from './send-many.js'
import type {
  EnvelopeInput,
  MessageSource,
  SendInfo,
  SendManyOptions,
  SendManyResult,
  SendMessage,
  SendOptions,
  Transport,
  VerifyInfo,
} from './types.js'

/**
 * One message recorded by a test transport: the exact bytes an SMTP transport would send.
 *
 * @example
 * const [sent] = testTransport.messages
 * expect(sent.raw).toContain('Subject: Welcome')
 */
export interface TestMessage {
  raw: string
  envelope: EnvelopeInput
  messageId: string
  info: SendInfo
}

/**
 * Options of {@link createTestTransport}.
 *
 * @example
 * createTestTransport({ build: { now: () => new Date(0) }, record: true })
 */
export interface TestTransportOptions {
  /** Options for `@mail/mime`, as on an SMTP transport. */
  build?: BuildOptions
  /** Sign like an SMTP transport would. */
  dkim?: DkimOptions | DkimOptions[]
  /** Keep each message in `messages`. Default true; false only counts them (`count`). */
  record?: boolean
}

/**
 * A transport that sends nothing: for users' own tests.
 *
 * @example
 * const transport = createTestTransport()
 * await signup(transport, 'alice@example.org')
 * expect(transport.messages[0]?.envelope.to).toEqual(['alice@example.org'])
 */
export interface TestTransport extends Transport {
  /** Every message sent, in order (when `record` is not false). */
  readonly messages: TestMessage[]
  /** How many messages were sent, recorded or not. */
  readonly count: number
  /** Forgets the recorded messages. */
  clear(): void
}

/**
 * Creates a transport that validates, builds (and DKIM-signs) each message exactly as an SMTP
 * transport does and keeps it in memory instead of sending it. Results have the same shape:
 * every envelope recipient accepted.
 *
 * @example
 * const transport = createTestTransport()
 * const info = await transport.send({ from: 'a@example.com', to: 'b@example.org', text: 'Hi' })
 * transport.messages[0]?.raw // the whole message, CRLF line endings
 */
export function createTestTransport(options: TestTransportOptions = {}): TestTransport {
  const dkim = options.dkim === undefined ? [] : ([] as DkimOptions[]).concat(options.dkim)
  dkim.forEach((d, i) => {
    if (typeof d !== 'object' || d === null) throw transportError(`dkim[${i}]`, 'must be an object')
  })
  const record = options.record ?? true
  let closed = false
  let count = 0

  const transport: TestTransport = {
    messages: [],
    get count() {
      return count
    },
    clear() {
      transport.messages.length = 0
    },
    async send(message: SendMessage, sendOptions?: SendOptions): Promise<SendInfo> {
      const signal = sendOptions?.signal
      if (signal?.aborted) throw abortReason(signal)
      if (closed) throw new SendError('closed', 'The transport is closed')
      const prepared = prepare(message, options.build)
      const raw = dkim.length > 0 ? await sign(prepared.raw, dkim) : prepared.raw
      if (signal?.aborted) throw abortReason(signal)
      const info: SendInfo = {
        messageId: prepared.messageId,
        envelope: prepared.envelope,
        accepted: [...prepared.envelope.to],
        rejected: [],
        response: '250 2.0.0 Accepted by the test transport',
      }
      count++
      if (record) {
        transport.messages.push({
          raw,
          envelope: prepared.envelope,
          messageId: prepared.messageId,
          info,
        })
      }
      return info
    },
    sendMany(
      messages: MessageSource,
      manyOptions?: SendManyOptions,
    ): AsyncGenerator<SendManyResult> {
      return sendInOrder(transport.send, messages, manyOptions?.window ?? 64, manyOptions)
    },
    async verify(): Promise<VerifyInfo> {
      return { capabilities: { extensions: {}, auth: [] }, secure: false, authenticated: false }
    },
    async close(): Promise<void> {
      closed = true
    },
    [Symbol.asyncDispose](): Promise<void> {
      return transport.close()
    },
  }
  return transport
}
