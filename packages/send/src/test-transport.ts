import type { BuildOptions } from '@mail/mime'
import type { DkimOptions } from '@mail/mime/dkim'
import type { Envelope, SendProgress, SendResult, StreamSource } from '@mail/smtp'
import { SendError, transportError } from './errors.js'
import { checkKeys, resolveDkim } from './options.js'
import type { PoolSendOptions } from './pool.js'
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
  /**
   * The message; bytes given to `sendRaw` are decoded as UTF-8. A streamed message (Blob or
   * stream attachments) is read to its end as a server would read it, and kept here whole: a
   * JavaScript string holds up to about 512 MiB, so send larger ones with `record: false`
   * (they are read and counted, never held).
   */
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
  /**
   * Keep each message in `messages`. Default true; false only counts them (`count`), and a
   * streamed message is read through without being held.
   */
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
 * DSN requests are ignored, as by a server that does not offer DSN. A streamed message is read
 * to its end, as a server reads it, with the same progress reports; its text is kept for the
 * transport to record.
 */
class MemoryClient implements BackendClient {
  readonly capabilities = { extensions: {}, auth: [] }
  readonly secure = false
  readonly authenticated = false
  readonly usable = true
  /** The text of each streamed message read, until the transport records it. */
  readonly texts = new WeakMap<object, string>()

  constructor(private readonly keep: boolean) {}

  send(
    envelope: Envelope,
    raw: PreparedMessage['body'] | StreamSource,
    options?: PoolSendOptions,
  ): Promise<SendResult> {
    const result = { accepted: [...envelope.to], rejected: [], response: ACCEPTED }
    if (typeof raw === 'string' || raw instanceof Uint8Array) {
      const onProgress = options?.onProgress
      if (onProgress !== undefined) {
        const n = typeof raw === 'string' ? utf8Length(raw) : raw.length
        onProgress({ sent: n, total: n })
      }
      return Promise.resolve(result)
    }
    return this.read(raw, options?.onProgress).then(() => result)
  }

  private async read(
    source: StreamSource,
    onProgress: ((progress: SendProgress) => void) | undefined,
  ): Promise<void> {
    const decoder = new TextDecoder()
    let text = ''
    let sent = 0
    const total = source.size
    const reader = source.stream().getReader()
    for (let r = await reader.read(); !r.done; r = await reader.read()) {
      sent += r.value.length
      if (this.keep) text = append(text, decoder.decode(r.value, { stream: true }))
      onProgress?.(total === undefined ? { sent } : { sent, total })
    }
    if (sent === 0 || total === undefined) onProgress?.({ sent, total: sent })
    if (this.keep) this.texts.set(source, append(text, decoder.decode()))
  }

  quit(): Promise<void> {
    return Promise.resolve()
  }

  close(): void {}
}

/** `text` + `more`, or an error that says what to do when a string cannot hold the message. */
function append(text: string, more: string): string {
  try {
    return text + more
  } catch (e) {
    throw new SendError(
      'message',
      'The test transport keeps each message as a string and this one is larger than a JavaScript string can be: use createTestTransport({ record: false }) to send it without keeping it',
      { cause: e },
    )
  }
}

const encoder = new TextEncoder()
const utf8Length = (text: string) => encoder.encode(text).length

/** The SMTP transport's code path with the memory backend, recording what it delivers. */
class MemoryTransport extends PooledTransport implements TestTransport {
  readonly messages: TestMessage[] = []
  private delivered_ = 0
  private readonly record: boolean
  private readonly client: MemoryClient

  constructor(options: TestTransportOptions) {
    checkKeys(options, TEST_OPTIONS, '')
    if (options.record !== undefined && typeof options.record !== 'boolean') {
      throw transportError('record', 'must be true or false')
    }
    const client = new MemoryClient(options.record ?? true)
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
      () => Promise.resolve(client),
    )
    this.record = options.record ?? true
    this.client = client
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
    let raw: string
    if (typeof body === 'string') raw = body
    else if (body instanceof Uint8Array) raw = utf8.decode(body)
    else {
      raw = this.client.texts.get(body) ?? ''
      this.client.texts.delete(body)
    }
    this.messages.push({
      raw,
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
