import type { BuildOptions } from '@mail/mime'
import type { DkimOptions } from '@mail/mime/dkim'
import type { Envelope, SendResult } from '@mail/smtp'
import { transportError } from './errors.js'
import { checkKeys, resolveDkim } from './options.js'
import type { PreparedMessage } from './prepare.js'
import { type BackendClient, PooledTransport } from './transport.js'
import type { RawSendInfo, SendInfo, Transport } from './types.js'

/**
 * One message recorded by a test transport: the exact bytes an SMTP transport would send.
 *
 * @example
 * const [sent] = testTransport.messages
 * expect(sent.raw).toContain('Subject: Welcome')
 */
export interface TestMessage {
  /** The message; bytes given to `sendRaw` are decoded as UTF-8. */
  raw: string
  /** The envelope's addresses. */
  envelope: Envelope
  /** Always set for built messages; for `sendRaw`, the Message-ID field when there is one. */
  messageId: string | undefined
  info: SendInfo | RawSendInfo
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

const TEST_OPTIONS = ['build', 'dkim', 'record'] as const
const ACCEPTED = '250 2.0.0 Accepted by the test transport'
const utf8 = new TextDecoder()

/**
 * The memory backend: a connection that accepts every message for every recipient at once.
 * DSN requests are ignored, as by a server that does not offer DSN.
 */
const memoryClient: BackendClient = {
  capabilities: { extensions: {}, auth: [] },
  secure: false,
  authenticated: false,
  usable: true,
  send: (envelope: Envelope): Promise<SendResult> =>
    Promise.resolve({ accepted: [...envelope.to], rejected: [], response: ACCEPTED }),
  quit: () => Promise.resolve(),
  close: () => {},
}

/** The SMTP transport's code path with the memory backend, recording what it delivers. */
class MemoryTransport extends PooledTransport implements TestTransport {
  readonly messages: TestMessage[] = []
  private delivered_ = 0
  private readonly record: boolean

  constructor(options: TestTransportOptions) {
    checkKeys(options, TEST_OPTIONS, '')
    if (options.record !== undefined && typeof options.record !== 'boolean') {
      throw transportError('record', 'must be true or false')
    }
    super(
      {
        // One connection with a deep pipeline: the memory backend answers at once.
        pool: {
          maxConnections: 1,
          maxMessagesPerConnection: Number.POSITIVE_INFINITY,
          maxInFlightPerConnection: 64,
          idleTimeoutMs: 30_000,
          rateLimit: undefined,
          slowDownMs: 60_000,
        },
        retry: { attempts: 1, backoffMs: 0 },
        dkim: resolveDkim(options.dkim),
        build: options.build,
      },
      () => Promise.resolve(memoryClient),
    )
    this.record = options.record ?? true
  }

  get count(): number {
    return this.delivered_
  }

  clear(): void {
    this.messages.length = 0
  }

  protected override delivered(prepared: PreparedMessage, info: RawSendInfo): void {
    this.delivered_++
    if (!this.record) return
    const { body, messageId } = prepared
    this.messages.push({
      raw: typeof body === 'string' ? body : utf8.decode(body),
      envelope: info.envelope,
      messageId,
      info,
    })
  }
}

/**
 * Creates a transport that validates, builds (and DKIM-signs) each message exactly as an SMTP
 * transport does, through the same pool, and delivers it to memory instead of a server. Results
 * have the same shape: every envelope recipient accepted.
 *
 * @example
 * const transport = createTestTransport()
 * const info = await transport.send({ from: 'a@example.com', to: 'b@example.org', text: 'Hi' })
 * transport.messages[0]?.raw // the whole message, CRLF line endings
 */
export function createTestTransport(options: TestTransportOptions = {}): TestTransport {
  if (typeof options !== 'object' || options === null) {
    throw transportError('options', 'must be an object')
  }
  return new MemoryTransport(options)
}
