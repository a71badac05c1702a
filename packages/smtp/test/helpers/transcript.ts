import type { SmtpError } from '../../src/errors.js'
import type { Envelope, SendProgress, SendResult } from '../../src/protocol/envelope.js'
import { planTransaction } from '../../src/protocol/plan.js'
import { Session } from '../../src/protocol/session.js'
import { messageBody, type RawMessage } from '../../src/protocol/stream.js'
import { Transaction } from '../../src/protocol/transaction.js'
import type {
  Expectation,
  SessionConfig,
  SessionHost,
  WireChunk,
} from '../../src/protocol/types.js'

const latin1 = (b: Uint8Array) =>
  Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1')

function render(chunk: WireChunk): string {
  if (typeof chunk === 'string') return chunk
  if (chunk instanceof Uint8Array) return latin1(chunk)
  return [...chunk].map(latin1).join('')
}

export interface Outcome {
  result?: SendResult
  error?: SmtpError
}

/**
 * Drives a {@link Session} from a transcript without sockets: `server()` feeds what the server
 * says, `writes` holds each write the session made (one string per write). `room`, when given,
 * is the host's answer to a streamed message asking for room in the socket (else: always room).
 */
export function transcript(
  config: Partial<SessionConfig> = {},
  room?: (octets: number) => Promise<void>,
) {
  const writes: string[] = []
  const events: string[] = []
  const logs: { direction: string; line: string }[] = []
  const failures: SmtpError[] = []
  let awaiting: Expectation | undefined
  const host: SessionHost = {
    write: (chunks) => void writes.push(chunks.map(render).join('')),
    startTls: () => void events.push('starttls'),
    close: (graceful) => void events.push(graceful ? 'close' : 'destroy'),
    awaiting: (e) => {
      awaiting = e
    },
    logging: true,
    log: (direction, line) => void logs.push({ direction, line }),
    ready: () => void events.push('ready'),
    failed: (e) => void failures.push(e),
  }
  if (room !== undefined) host.room = room
  const session = new Session(
    {
      host: 'mx.example.org',
      port: 587,
      name: 'client.example.com',
      lmtp: false,
      security: 'none',
      loopback: false,
      allowInsecureAuth: false,
      preferData: false,
      chunkSize: 1024 * 1024,
      ...config,
    },
    host,
  )
  session.flush()
  return {
    session,
    writes,
    events,
    logs,
    failures,
    get awaiting() {
      return awaiting
    },
    /** The server says something (lines joined by CRLF, one packet). */
    server(...lines: string[]) {
      session.receive(Buffer.from(lines.map((l) => `${l}\r\n`).join(''), 'utf8'))
    },
    /** Every write since the last call, concatenated. */
    take(): string[] {
      return writes.splice(0)
    },
    send(
      envelope: Envelope,
      raw: RawMessage,
      beforeEnd?: () => Promise<void>,
      onProgress?: (progress: SendProgress) => void,
    ): Outcome {
      const outcome: Outcome = {}
      const bytes = messageBody(raw)
      const plan = planTransaction(envelope, bytes, session.capabilities, {
        preferData: session.config.preferData,
      })
      session.enqueue(
        new Transaction({
          session,
          plan,
          message: bytes,
          resolve: (r) => {
            outcome.result = r
          },
          reject: (e) => {
            outcome.error = e
          },
          beforeEnd,
          onProgress,
        }),
      )
      return outcome
    },
  }
}

/** A session greeted and past EHLO with the given extensions. */
export function readySession(
  extensions: string[],
  config: Partial<SessionConfig> = {},
  room?: (octets: number) => Promise<void>,
) {
  const t = transcript(config, room)
  t.server('220 mx.example.org ESMTP')
  const lines = ['mx.example.org', ...extensions]
  t.server(...lines.map((l, i) => `250${i === lines.length - 1 ? ' ' : '-'}${l}`))
  t.take()
  return t
}
