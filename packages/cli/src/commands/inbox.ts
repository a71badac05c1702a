import { type AddressObject, type ParsedMail, simpleParser } from 'mailparser'
import { type InboxArgs, parseInboxArgs } from '../args.js'
import { describeErrorLine } from '../errors.js'
import { INBOX_HELP } from '../help.js'
import { findStored, inboxDir, listStored, readStored, type StoredFile } from '../inbox/store.js'
import { EXIT, formatBytes, type Io, printable, reportError } from '../output.js'

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

function addressText(field: AddressObject | AddressObject[] | undefined): string {
  if (field === undefined) return ''
  return (Array.isArray(field) ? field : [field]).map((a) => a.text).join(', ')
}

/** Bare addresses only, for the narrow columns of the table. */
function bareAddresses(field: AddressObject | AddressObject[] | undefined): string {
  if (field === undefined) return ''
  const list = (Array.isArray(field) ? field : [field]).flatMap((a) => a.value)
  return list.map((m) => m.address ?? m.name).join(', ')
}

function parse(raw: Buffer): Promise<ParsedMail> {
  return simpleParser(raw, { skipTextToHtml: true, skipTextLinks: true })
}

/** A listed message: its JSON entry plus the bare addresses the table shows. */
interface Row {
  entry: InboxEntry
  fromShort: string
  toShort: string
}

async function rowOf(file: StoredFile): Promise<Row> {
  const mail = await parse(await readStored(file))
  const entry: InboxEntry = {
    index: file.index,
    file: file.name,
    date: mail.date ? mail.date.toISOString() : null,
    from: addressText(mail.from),
    to: addressText(mail.to),
    subject: mail.subject ?? '',
    size: file.size,
    attachments: mail.attachments.length,
  }
  return { entry, fromShort: bareAddresses(mail.from), toShort: bareAddresses(mail.to) }
}

/** Local time, to the minute: what a person scanning a list needs. */
function shortDate(iso: string | null): string {
  if (iso === null) return '-'
  const d = new Date(iso)
  const p = (n: number) => String(n).padStart(2, '0')
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`
}

function cut(text: string, width: number): string {
  const flat = printable(text.replace(/\s+/g, ' '))
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

async function show(io: Io, dir: string, id: string, json: boolean) {
  const file = await findStored(dir, id)
  const raw = await readStored(file)
  const mail = await parse(raw)
  const attachments = mail.attachments.map((a) => ({
    filename: a.filename ?? null,
    contentType: a.contentType,
    disposition: a.contentDisposition ?? null,
    cid: a.cid ?? null,
    size: a.size,
  }))
  if (json) {
    const headers = mail.headerLines.map(({ line }) => {
      const colon = line.indexOf(':')
      return [line.slice(0, colon), line.slice(colon + 1).replace(/^\s+/, '')]
    })
    const out = {
      file: file.path,
      headers,
      text: mail.text ?? null,
      html: mail.html || null,
      attachments,
    }
    io.stdout.write(`${JSON.stringify(out, null, 2)}\n`)
    return
  }
  io.stdout.write(`File: ${file.path}\n`)
  for (const { line } of mail.headerLines) io.stdout.write(`${printable(line)}\n`)
  io.stdout.write('\n')
  const text = printable(mail.text ?? '')
  io.stdout.write(text === '' ? '(no text body)\n' : text.endsWith('\n') ? text : `${text}\n`)
  if (attachments.length > 0) {
    io.stdout.write(`\nAttachments (${attachments.length}):\n`)
    for (const a of attachments) {
      const extra = [a.disposition, a.cid ? `cid:${a.cid}` : null].filter(Boolean).join(', ')
      io.stdout.write(
        `  ${printable(a.filename ?? '(unnamed)')}  ${printable(a.contentType)}  ${formatBytes(a.size)}${extra ? `  (${extra})` : ''}\n`,
      )
    }
  }
}

/** `mailx inbox [list | show ID]`: returns the exit code. */
export async function runInbox(argv: string[], io: Io): Promise<number> {
  let args: InboxArgs | undefined
  try {
    args = parseInboxArgs(argv)
    if (args.help) {
      io.stdout.write(INBOX_HELP)
      return EXIT.ok
    }
    const dir = inboxDir(io.env, io.cwd)
    if (args.action === 'show' && args.id !== undefined) {
      await show(io, dir, args.id, args.json)
      return EXIT.ok
    }
    // One at a time: a large inbox must not hold every message in memory at once.
    const rows: Row[] = []
    for (const file of await listStored(dir)) rows.push(await rowOf(file))
    if (args.json)
      io.stdout.write(
        `${JSON.stringify(
          rows.map((r) => r.entry),
          null,
          2,
        )}\n`,
      )
    else printList(io, dir, rows)
    return EXIT.ok
  } catch (err) {
    const line = describeErrorLine(err)
    if (args?.json) io.stdout.write(`${JSON.stringify({ error: line })}\n`)
    return reportError(io, err, line, args?.verbose ?? argv.includes('--verbose'))
  }
}
