import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { exited, guardChild } from './cleanup.js'
import { PYTHON } from './python.js'

/** One mailbox of an address header; groups are flattened into their members. */
export interface ParsedAddress {
  /** Display name ('' when none). */
  name: string
  /** addr-spec, e.g. 'bob@example.com'. */
  address: string
}

/** A leaf part that is not the chosen text or HTML body (attachments, inline images, ...). */
export interface ParsedAttachment {
  filename?: string
  /** Lower-case type/subtype, e.g. 'image/png'. */
  contentType: string
  /** 'attachment' or 'inline' as the parser reports it. */
  disposition?: string
  /** Content-ID without angle brackets. */
  cid?: string
  /** Content after Content-Transfer-Encoding decoding. */
  content: Buffer
}

/**
 * A message as an independent parser sees it.
 *
 * @example
 * const parsed = await parseWithPython(raw)
 * expect(parsed.defects).toEqual([])
 * expect(parsed.to).toEqual([{ name: 'Bob', address: 'bob@example.com' }])
 */
export interface ParsedMessage {
  /**
   * Python: class names of the defects on the message and every part (e.g.
   * 'StartBoundaryNotFoundDefect'). mailparser reports none: always [].
   */
  defects: string[]
  /**
   * Python only: defects found while parsing header values, as 'Header-Name: DefectClass'
   * (e.g. 'To: InvalidHeaderDefect'). Kept apart from `defects` because policy.default also
   * flags legal RFC 6532 UTF-8 local parts ('NonASCIILocalPartDefect'). mailparser: [].
   */
  headerDefects: string[]
  /**
   * Top-level header fields in order, as [name as written, value]. Python: `str()` of the
   * policy.default header object (unfolded, encoded-words decoded, structured headers
   * re-rendered). mailparser: the raw unfolded value (encoded-words NOT decoded).
   */
  headers: [string, string][]
  subject?: string
  from: ParsedAddress[]
  sender: ParsedAddress[]
  to: ParsedAddress[]
  cc: ParsedAddress[]
  replyTo: ParsedAddress[]
  /** With angle brackets, e.g. '<abc@example.com>'. */
  messageId?: string
  /** ISO 8601 UTC ('2026-01-02T03:04:05.000Z') when parseable, else the raw header text (Python). */
  date?: string
  /** The text/plain body as decoded text, line endings as the parser gives them (see each parser). */
  text?: string
  /** The text/html body as decoded text, line endings as the parser gives them. */
  html?: string
  /** Every non-body leaf part, inline ones included, in document order. */
  attachments: ParsedAttachment[]
}

type WireAttachment = Omit<ParsedAttachment, 'content'> & { content: string }
type WireMessage = Omit<ParsedMessage, 'attachments'> & { attachments: WireAttachment[] }

const SCRIPT = join(import.meta.dirname, 'py', 'parse_email.py')

function toBuffer(raw: string | Uint8Array): Buffer {
  // A string is taken as the message's octets: UTF-8 for any non-ASCII character (RFC 6532).
  return typeof raw === 'string' ? Buffer.from(raw, 'utf8') : Buffer.from(raw)
}

function fromWire(line: string): ParsedMessage {
  const wire = JSON.parse(line) as WireMessage | { error: string }
  if ('error' in wire) throw new Error(`parse_email.py failed: ${wire.error}`)
  return {
    ...wire,
    attachments: wire.attachments.map((a) => ({ ...a, content: Buffer.from(a.content, 'base64') })),
  }
}

/**
 * Parses `raw` with CPython's `email.parser.BytesParser(policy=email.policy.default)` in a
 * process shared by all calls (started on first use, never keeps the test process alive).
 *
 * `text`/`html` come from `get_body(('plain',))`/`get_body(('html',))` and keep the message's
 * CRLF line endings; every other leaf part (a second text/plain too) is an attachment; a
 * message/rfc822 part is an attachment whose content is the embedded message re-serialised with
 * CRLF. `date` is ISO 8601 UTC, or the raw header text when unparseable.
 */
export async function parseWithPython(raw: string | Uint8Array): Promise<ParsedMessage> {
  // One shared stream process per test process: a fresh interpreter costs ~0.1-0.5 s per call.
  shared ??= pythonParser()
  const parser = await shared
  try {
    return await parser.parse(raw)
  } catch (error) {
    // A dead process is replaced on the next call; a parse error leaves it running.
    if (!(error as Error).message.startsWith('parse_email.py failed')) shared = undefined
    throw error
  }
}

let shared: Promise<PythonParser> | undefined

/** A long-lived CPython parser process; see {@link pythonParser}. */
export interface PythonParser {
  /** Same result as {@link parseWithPython}; calls are queued and answered in order. */
  parse(raw: string | Uint8Array): Promise<ParsedMessage>
  /** Ends the process. Pending parses still complete. */
  close(): Promise<void>
}

/**
 * Starts one Python process that parses many messages (length-prefixed over stdin), for
 * property tests that parse hundreds of messages.
 *
 * @example
 * const parser = await pythonParser()
 * try { for (const raw of samples) expect((await parser.parse(raw)).defects).toEqual([]) }
 * finally { await parser.close() }
 */
export async function pythonParser(): Promise<PythonParser> {
  const child = spawn(PYTHON, [SCRIPT, '--stream'], { stdio: ['pipe', 'pipe', 'pipe'] })
  const unguard = guardChild(child)
  const pending: { resolve: (m: ParsedMessage) => void; reject: (e: Error) => void }[] = []
  // Only keep the event loop alive while a parse is pending, so a forgotten close() never
  // holds the test process open.
  const hold = (on: boolean) => {
    // The stdio pipes are net.Sockets at runtime, which can be (un)referenced.
    const pipes = [child.stdout, child.stderr, child.stdin] as unknown as {
      ref(): void
      unref(): void
    }[]
    for (const handle of [child, ...pipes]) {
      if (on) handle.ref()
      else handle.unref()
    }
  }
  hold(false)
  let buffered = ''
  let err = ''
  let failure: Error | undefined
  const fail = (e: Error) => {
    failure ??= e
    for (const p of pending.splice(0)) p.reject(failure)
  }
  child.stderr.setEncoding('utf8').on('data', (s: string) => {
    err = (err + s).slice(-4000)
  })
  child.stdout.setEncoding('utf8').on('data', (s: string) => {
    buffered += s
    for (let nl = buffered.indexOf('\n'); nl >= 0; nl = buffered.indexOf('\n')) {
      const line = buffered.slice(0, nl)
      buffered = buffered.slice(nl + 1)
      const p = pending.shift()
      if (pending.length === 0) hold(false)
      if (!p) continue
      try {
        p.resolve(fromWire(line))
      } catch (e) {
        p.reject(e as Error)
      }
    }
  })
  child.once('error', (e) => fail(e))
  child.once('close', (code) => fail(new Error(`parse_email.py --stream exited ${code}: ${err}`)))
  child.stdin.on('error', () => {
    // EPIPE after the child died: reported through 'exit'
  })
  let closed: Promise<void> | undefined
  return {
    parse(raw) {
      if (failure) return Promise.reject(failure)
      if (closed) return Promise.reject(new Error('pythonParser is closed'))
      const data = toBuffer(raw)
      return new Promise((resolve, reject) => {
        if (pending.length === 0) hold(true)
        pending.push({ resolve, reject })
        child.stdin.write(`${data.length}\n`)
        child.stdin.write(data)
      })
    },
    close() {
      closed ??= (async () => {
        hold(true)
        child.stdin.end()
        await exited(child)
        unguard()
      })()
      return closed
    },
  }
}
