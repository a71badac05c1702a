import { openAsBlob } from 'node:fs'
import { open } from 'node:fs/promises'
import { basename } from 'node:path'
import type { Attachment, MessageInput } from '@mail/mime'
import type { MessageArgs } from './args.js'
import { CliError, fileError, formatBytes, type Io, type Progress, UsageError } from './output.js'

/**
 * Reads a whole file, showing "reading NAME 42% (x of y)" on the progress line for large files.
 * Missing or unreadable files become one-line errors naming the path.
 */
export async function readInputFile(path: string, progress: Progress): Promise<Buffer> {
  try {
    const handle = await open(path, 'r')
    try {
      const { size } = await handle.stat()
      const out = Buffer.allocUnsafe(size)
      const name = basename(path)
      let done = 0
      while (done < size) {
        const { bytesRead } = await handle.read(out, done, Math.min(1 << 20, size - done), done)
        if (bytesRead === 0) break
        done += bytesRead
        if (size > 1 << 20) {
          const pct = Math.floor((done / size) * 100)
          const text = `reading ${name} ${pct}% (${formatBytes(done)} of ${formatBytes(size)})`
          progress.update(text, done < size)
        }
      }
      // A file that shrank while being read: keep what is there rather than stale bytes.
      return done === size ? out : out.subarray(0, done)
    } finally {
      await handle.close()
    }
  } catch (err) {
    throw fileError(err, path)
  }
}

/**
 * A file as a Blob (`fs.openAsBlob`), read only while the message is sent: an attachment of any
 * size takes constant memory. The file is opened here first, so that a missing or unreadable
 * file, or a directory, is a one-line error naming the path before anything connects.
 */
export async function fileBlob(path: string): Promise<Blob> {
  try {
    const handle = await open(path, 'r')
    try {
      if ((await handle.stat()).isDirectory()) {
        throw Object.assign(new Error(`EISDIR: ${path}`), { code: 'EISDIR' })
      }
    } finally {
      await handle.close()
    }
    return await openAsBlob(path)
  } catch (err) {
    const error = fileError(err, path)
    // openAsBlob says only "Unable to open file as blob" (no errno): the file went meanwhile.
    if (error === err && !(err instanceof CliError)) {
      throw new CliError(`cannot open: ${path}`, { cause: err })
    }
    throw error
  }
}

/** Reads piped standard input to the end. */
export async function readStdin(io: Io): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of io.stdin) {
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer))
  }
  return Buffer.concat(chunks)
}

/** True when the body should come from stdin: it is piped and no other body source was given. */
export function bodyFromStdin(args: MessageArgs & { eml?: string }, io: Io): boolean {
  return (
    io.stdin.isTTY !== true &&
    args.text === undefined &&
    args.textFile === undefined &&
    args.eml === undefined
  )
}

/** Repeated `--header` options of the same name become one multi-valued entry. */
function headerRecord(headers: MessageArgs['headers']): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {}
  for (const { name, value } of headers) {
    const prev = out[name]
    out[name] = prev === undefined ? value : [...(Array.isArray(prev) ? prev : [prev]), value]
  }
  return out
}

/**
 * Turns `send`'s options into a `MessageInput`, reading the body files; attachment files become
 * Blobs, read only while the message is sent. The builder validates every value (and names the
 * field on error), so this only assembles.
 *
 * @example
 * const input = await messageFromArgs(parseSendArgs(['--from', 'a@x.test', '--to', 'b@x.test']), io, progress)
 */
export async function messageFromArgs(
  args: MessageArgs & { dryRun?: boolean },
  io: Io,
  progress: Progress,
  command = 'send',
): Promise<MessageInput> {
  if (args.from === undefined) throw new UsageError('--from is required', command)
  if (args.dryRun !== true && args.to.length + args.cc.length + args.bcc.length === 0) {
    throw new UsageError('at least one --to, --cc or --bcc is required', command)
  }
  const input: MessageInput = { from: args.from }
  if (args.to.length > 0) input.to = args.to
  if (args.cc.length > 0) input.cc = args.cc
  if (args.bcc.length > 0) input.bcc = args.bcc
  if (args.replyTo.length > 0) input.replyTo = args.replyTo
  if (args.subject !== undefined) input.subject = args.subject

  if (args.text !== undefined) input.text = args.text
  else if (args.textFile !== undefined) {
    input.text = (await readInputFile(args.textFile, progress)).toString('utf8')
  } else if (bodyFromStdin(args, io)) {
    progress.update('reading the message body from stdin')
    const body = (await readStdin(io)).toString('utf8')
    if (body !== '') input.text = body
  }
  if (args.htmlFile !== undefined) {
    input.html = (await readInputFile(args.htmlFile, progress)).toString('utf8')
  }

  const attachments: Attachment[] = []
  for (const path of args.attach) {
    attachments.push({ filename: basename(path), content: await fileBlob(path) })
  }
  for (const { path, cid } of args.inline) {
    attachments.push({
      filename: basename(path),
      content: await fileBlob(path),
      cid,
      disposition: 'inline',
    })
  }
  if (attachments.length > 0) input.attachments = attachments
  if (args.headers.length > 0) input.headers = headerRecord(args.headers)
  return input
}

/** Total size of the message's parts before encoding, for the progress line. */
export function contentSize(input: MessageInput): number {
  let n = (input.text?.length ?? 0) + (input.html?.length ?? 0)
  for (const { content } of input.attachments ?? []) {
    // Blobs (attached files) count by their size; streams, unsized, do not.
    if (typeof content === 'string' || content instanceof Uint8Array) n += content.length
    else if (content instanceof Blob) n += content.size
  }
  return n
}
