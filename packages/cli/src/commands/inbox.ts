import { mkdir, writeFile } from 'node:fs/promises'
import { basename, join } from 'node:path'
import {
  type InboxAddress,
  type InboxMessage,
  type InboxReader,
  inboxDir,
  readInbox,
} from '@mail/inbox'
import { type InboxArgs, parseInboxArgs } from '../args.js'
import { describeErrorLine } from '../errors.js'
import { INBOX_HELP } from '../help.js'
import {
  CliError,
  EXIT,
  fileError,
  foreignText,
  formatBytes,
  type Io,
  reportError,
} from '../output.js'

/** One row of `mailx inbox --json`. */
export interface InboxEntry {
  index: number
  file: string
  date: string | null
  from: string
  to: string
  subject: string
  size: number
  attachments: number
}

/** A stored message as `mailx inbox` names it: its number in the list, its file. */
interface Listed {
  /** 1-based position, oldest first. */
  index: number
  id: string
  /** File name, e.g. `20261128T201050123Z-ab12cd.eml`. */
  name: string
  path: string
}

/** Every stored message, oldest first (the order of the numbers people type). */
async function listed(reader: InboxReader): Promise<Listed[]> {
  const ids = (await reader.ids()).reverse()
  return ids.map((id, i) => {
    const path = reader.path(id) ?? id
    return { index: i + 1, id, name: basename(path), path }
  })
}

/**
 * Finds one message by its 1-based number in the list or by a prefix of its file name. Errors
 * name what was looked for when nothing, or more than one message, matches.
 */
async function find(reader: InboxReader, id: string): Promise<Listed> {
  const all = await listed(reader)
  if (/^\d+$/.test(id)) {
    const byIndex = all[Number(id) - 1]
    if (Number(id) >= 1 && byIndex) return byIndex
  }
  const matches = all.filter((f) => f.name.startsWith(id))
  const [first] = matches
  if (!first) throw new CliError(`no message ${JSON.stringify(id)} in ${reader.dir}`)
  if (matches.length > 1) {
    throw new CliError(
      `ambiguous message id ${JSON.stringify(id)}: matches ${matches.length} messages`,
    )
  }
  return first
}

/** `"Alice" <alice@example.com>`, or the bare address. */
function mailboxText(a: InboxAddress): string {
  return a.name ? `"${a.name.replace(/["\\]/g, '\\$&')}" <${a.address}>` : a.address
}

const listText = (list: InboxAddress[]) => list.map(mailboxText).join(', ')
/** Bare addresses only, for the narrow columns of the table. */
const bare = (list: InboxAddress[]) => list.map((a) => a.address || a.name).join(', ')

/** A listed message: its JSON entry plus the bare addresses the table shows. */
interface Row {
  entry: InboxEntry
  fromShort: string
  toShort: string
}

function rowOf(file: Listed, m: InboxMessage): Row {
  const from = m.from.address || m.from.name ? [m.from] : []
  const entry: InboxEntry = {
    index: file.index,
    file: file.name,
    date: m.date,
    from: listText(from),
    to: listText(m.to),
    subject: m.subject,
    size: m.size,
    attachments: m.attachments.length,
  }
  return { entry, fromShort: bare(from), toShort: bare(m.to) }
}

/** Local time, to the minute: what a person scanning a list needs. */
function shortDate(iso: string | null): string {
  if (iso === null) return '-'
  const d = new Date(iso)
  const p = (n: number) => String(n).padStart(2, '0')
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`
}

function cut(text: string, width: number): string {
  const flat = foreignText(text.replace(/\s+/g, ' '))
  return flat.length <= width ? flat.padEnd(width) : `${flat.slice(0, width - 1)}…`
}

function printList(io: Io, dir: string, rows: Row[]) {
  if (rows.length === 0) {
    io.stdout.write(`No messages in ${dir}\n`)
    return
  }
  const w = String(rows.length).length
  io.stdout.write(
    `${'#'.padStart(w)}  ${cut('Date', 16)}  ${cut('From', 24)}  ${cut('To', 24)}  ${cut('Subject', 30)}  ${'Size'.padStart(8)}  Att  File\n`,
  )
  for (const { entry: e, fromShort, toShort } of rows) {
    io.stdout.write(
      `${String(e.index).padStart(w)}  ${cut(shortDate(e.date), 16)}  ${cut(fromShort, 24)}  ${cut(toShort, 24)}  ${cut(e.subject, 30)}  ${formatBytes(e.size).padStart(8)}  ${String(e.attachments).padStart(3)}  ${e.file}\n`,
    )
  }
}

/**
 * A file name for a saved attachment: the message's name without any directory part, never
 * empty, hidden or a path of its own.
 */
export function attachmentFileName(filename: string | undefined, index: number): string {
  const name = basename((filename ?? '').replace(/\\/g, '/')).replace(/[\x00-\x1f\x7f]/g, '_')
  if (name === '' || name === '.' || name === '..') return `attachment-${index + 1}`
  // A leading dot would hide the file.
  return name.startsWith('.') ? `attachment-${index + 1}${name}` : name
}

/** Writes each attachment into `dir` under its own name; an existing file is never replaced. */
async function saveAttachments(
  reader: InboxReader,
  m: InboxMessage,
  dir: string,
): Promise<string[]> {
  const contents = (await reader.attachments(m.id)) ?? []
  await mkdir(dir, { recursive: true }).catch((err: unknown) => {
    throw fileError(err, dir)
  })
  const saved: string[] = []
  for (const [i, a] of m.attachments.entries()) {
    const name = attachmentFileName(a.filename, i)
    const dot = name.lastIndexOf('.')
    const [stem, ext] = dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, '']
    for (let n = 1; ; n++) {
      const path = join(dir, n === 1 ? name : `${stem} (${n})${ext}`)
      try {
        await writeFile(path, contents[i] ?? new Uint8Array(), { flag: 'wx' })
        saved.push(path)
        break
      } catch (err) {
        if ((err as { code?: string }).code !== 'EEXIST') throw fileError(err, path)
      }
    }
  }
  return saved
}

/** The body as text: the text part, else the HTML part converted, else nothing. */
async function bodyText(m: InboxMessage): Promise<{ text: string; fromHtml: boolean } | undefined> {
  if (m.text !== undefined) return { text: m.text, fromHtml: false }
  if (m.html === undefined) return undefined
  const { convert } = await import('html-to-text')
  return { text: convert(m.html, { wordwrap: 100 }), fromHtml: true }
}

async function show(io: Io, reader: InboxReader, id: string, args: InboxArgs) {
  const file = await find(reader, id)
  const m = await reader.message(file.id)
  if (!m) throw new CliError(`message ${JSON.stringify(id)} was deleted meanwhile`)
  const saved =
    args.saveAttachments === undefined
      ? undefined
      : await saveAttachments(reader, m, args.saveAttachments)
  const attachments = m.attachments.map((a) => ({
    filename: a.filename ?? null,
    contentType: a.contentType,
    disposition: a.disposition ?? null,
    cid: a.cid ?? null,
    size: a.size,
  }))
  // A message copied into the folder by hand has no envelope beside it.
  const envelope = m.envelope.to.length > 0 ? m.envelope : null
  if (args.json) {
    const out = {
      file: file.path,
      envelope,
      headers: m.headers.map((h) => [h.name, h.value]),
      text: m.text ?? null,
      html: m.html ?? null,
      attachments,
      ...(saved ? { saved } : {}),
    }
    io.stdout.write(`${JSON.stringify(out, null, 2)}\n`)
    return
  }
  const out = (line: string) => io.stdout.write(`${foreignText(line)}\n`)
  io.stdout.write(`File: ${file.path}\n`)
  if (envelope) {
    out(`Envelope: from <${envelope.from}> to ${envelope.to.map((a) => `<${a}>`).join(', ')}`)
  }
  for (const h of m.headers) out(`${h.name}: ${h.value}`)
  io.stdout.write('\n')
  const body = await bodyText(m)
  if (body === undefined || body.text.trim() === '') io.stdout.write('(no text body)\n')
  else {
    if (body.fromHtml) io.stdout.write('(HTML body shown as text)\n\n')
    out(body.text.replace(/\r?\n$/, ''))
  }
  if (attachments.length > 0) {
    io.stdout.write(`\nAttachments (${attachments.length}):\n`)
    for (const a of attachments) {
      const extra = [a.disposition, a.cid ? `cid:${a.cid}` : null].filter(Boolean).join(', ')
      out(
        `  ${a.filename ?? '(unnamed)'}  ${a.contentType}  ${formatBytes(a.size)}${extra ? `  (${extra})` : ''}`,
      )
    }
  }
  if (saved) {
    io.stdout.write(`\nSaved ${saved.length} attachment${saved.length === 1 ? '' : 's'}:\n`)
    for (const path of saved) out(`  ${path}`)
  }
}

/** `mailx inbox [list | show ID [--save-attachments DIR]]`: returns the exit code. */
export async function runInbox(argv: string[], io: Io): Promise<number> {
  let args: InboxArgs | undefined
  try {
    args = parseInboxArgs(argv)
    if (args.help) {
      io.stdout.write(INBOX_HELP)
      return EXIT.ok
    }
    const reader = readInbox(inboxDir(io.env, io.cwd))
    if (args.action === 'show' && args.id !== undefined) {
      await show(io, reader, args.id, args)
      return EXIT.ok
    }
    // One at a time: a large inbox must not hold every message in memory at once.
    const rows: Row[] = []
    for (const file of await listed(reader)) {
      const m = await reader.message(file.id)
      if (m) rows.push(rowOf(file, m))
    }
    if (args.json)
      io.stdout.write(
        `${JSON.stringify(
          rows.map((r) => r.entry),
          null,
          2,
        )}\n`,
      )
    else printList(io, reader.dir, rows)
    return EXIT.ok
  } catch (err) {
    const line = describeErrorLine(err)
    if (args?.json) io.stdout.write(`${JSON.stringify({ error: line })}\n`)
    return reportError(io, err, line, args?.verbose ?? argv.includes('--verbose'))
  }
}
