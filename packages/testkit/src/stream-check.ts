// Checks of a message read as it arrives, with independent parsers that never hold it whole:
// npm mailparser's streaming MailParser for the attachments, npm mailauth for DKIM.
import { createHash } from 'node:crypto'
import { once } from 'node:events'
import { PassThrough, type Readable } from 'node:stream'
import { dkimVerify } from 'mailauth/lib/dkim/verify.js'
import { type AttachmentStream, MailParser } from 'mailparser'

/** What {@link checkStream} found in one message. */
export interface StreamCheck {
  /** Octets of the message. */
  size: number
  /** Each attachment, decoded: its filename, size and SHA-256 (hex). */
  attachments: { filename: string | undefined; size: number; sha256: string }[]
  /** The verdict of each DKIM-Signature (top first): 'pass', or the result and its reason. */
  dkim: string[]
}

/**
 * Reads a message once, as it arrives, decoding its attachments with mailparser (hashing them
 * on the fly) and verifying its DKIM signatures with mailauth against `records`
 * (`'<selector>._domainkey.<domain>'` -> TXT), nothing held but a few chunks.
 *
 * @example
 * const sink = await startStreamSink({ consume: (m) => checkStream(m, { 's._domainkey.example.com': txt }) })
 */
export async function checkStream(
  message: Readable,
  records: Record<string, string> = {},
): Promise<StreamCheck> {
  const toParser = new PassThrough()
  const toDkim = new PassThrough()
  let size = 0
  message.on('data', (chunk: Buffer) => {
    size += chunk.length
  })
  message.pipe(toParser)
  message.pipe(toDkim)
  const [attachments, dkim] = await Promise.all([attachmentsOf(toParser), dkimOf(toDkim, records)])
  return { size, attachments, dkim }
}

async function attachmentsOf(input: Readable): Promise<StreamCheck['attachments']> {
  const parser = new MailParser()
  const found: Promise<StreamCheck['attachments'][number]>[] = []
  parser.on('data', (data: { type: string }) => {
    if (data.type !== 'attachment') return
    const attachment = data as AttachmentStream
    found.push(
      (async () => {
        const hash = createHash('sha256')
        let n = 0
        for await (const chunk of attachment.content) {
          hash.update(chunk as Buffer)
          n += (chunk as Buffer).length
        }
        attachment.release?.()
        return { filename: attachment.filename, size: n, sha256: hash.digest('hex') }
      })(),
    )
  })
  input.pipe(parser)
  await once(parser, 'end')
  return Promise.all(found)
}

async function dkimOf(input: Readable, records: Record<string, string>): Promise<string[]> {
  const resolver = async (name: string, type: string) => {
    const txt = records[name.replace(/\.$/, '')]
    if (type !== 'TXT' || txt === undefined) {
      throw Object.assign(new Error(`no TXT record for ${name}`), { code: 'ENOTFOUND' })
    }
    return [[txt]]
  }
  const result = await dkimVerify(input, { resolver } as Parameters<typeof dkimVerify>[1])
  return result.results.map((r) =>
    r.status.result === 'pass' ? 'pass' : `${r.status.result}: ${String(r.status.comment)}`,
  )
}
