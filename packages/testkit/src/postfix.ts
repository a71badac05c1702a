import { type ChildProcess, spawn } from 'node:child_process'
import {
  chmod,
  chown,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  rm,
  stat,
  writeFile,
} from 'node:fs/promises'
import { join } from 'node:path'
import { onExit, stopper } from './cleanup.js'
import { waitListening } from './listening.js'
import { PYTHON } from './python.js'

/**
 * A private Postfix 3.7 instance on 127.0.0.1 that accepts mail for every recipient of every
 * domain and delivers it into one Maildir (nothing ever leaves the machine).
 *
 * @example
 * const postfix = await startPostfix()
 * try { ...send to postfix.port...; const [file] = await postfix.waitForDelivered(1) }
 * finally { await postfix.stop() }
 */
export interface PostfixServer {
  host: '127.0.0.1'
  port: number
  /**
   * Resolves with the Maildir files (new/ and cur/, in delivery order) once at least `count`
   * exist; rejects after `timeoutMs` (default 20 s) with the tail of the Postfix log.
   * Each recipient gets its own file. Files are as Postfix writes them: LF line endings, with
   * Return-Path, X-Original-To, Delivered-To and Received prepended; no other header is added.
   * Notices Postfix itself sends (e.g. a DSN for NOTIFY=SUCCESS) are delivered here too.
   */
  waitForDelivered(count: number, timeoutMs?: number): Promise<Buffer[]>
  /** Stops the instance (master and every child) and removes its directory. Idempotent. */
  stop(): Promise<void>
}

const WATCHDOG = join(import.meta.dirname, 'py', 'postfix_watchdog.py')
const QUEUE_DIRS = ['active', 'bounce', 'corrupt', 'defer', 'deferred', 'flush', 'hold']
const QUEUE_DIRS_2 = ['incoming', 'private', 'saved', 'trace']
// Unprivileged owner of delivered files (virtual(8) refuses root).
const NOBODY = 65534

/** Options of {@link startPostfix}. */
export interface PostfixOptions {
  /** Postfix's message_size_limit in octets (advertised as SIZE). Default 50 MiB. */
  messageSizeLimit?: number
}

function mainCf(dir: string, options: PostfixOptions): string {
  return `compatibility_level = 3.6
queue_directory = ${dir}/spool
data_directory = ${dir}/data
meta_directory = /etc/postfix
shlib_directory = /usr/lib/postfix
daemon_directory = /usr/lib/postfix/sbin
command_directory = /usr/sbin
mail_owner = postfix
setgid_group = postdrop
myhostname = testkit.localhost
mydomain = localhost
myorigin = localhost
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
smtputf8_enable = yes
message_size_limit = ${options.messageSizeLimit ?? 52428800}
mailbox_size_limit = 0
virtual_mailbox_limit = 0
# Every domain is a virtual mailbox domain, every address maps to the one Maildir.
virtual_mailbox_domains = static:all
virtual_mailbox_base = ${dir}/mail
virtual_mailbox_maps = static:Maildir/
virtual_uid_maps = static:${NOBODY}
virtual_gid_maps = static:${NOBODY}
virtual_minimum_uid = 100
# Nothing is ever relayed or looked up in DNS.
smtp_dns_support_level = disabled
default_transport = error:testkit relays nothing
relay_transport = error:testkit relays nothing
relay_domains =
relayhost =
# Fast failures and no throttling: tests exercise errors and send bursts.
smtpd_error_sleep_time = 0
in_flow_delay = 0
# No reverse lookup of the client address (no DNS at all).
smtpd_peername_lookup = no
smtpd_relay_restrictions = permit_mynetworks, reject
smtpd_recipient_restrictions = permit_mynetworks, reject
# Keep the message as sent: no header rewriting or added Message-ID/Date/From.
local_header_rewrite_clients =
alias_maps =
alias_database =
local_recipient_maps =
biff = no
maillog_file = ${dir}/maillog
maillog_file_prefixes = ${dir}
`
}

// Port 0: the kernel picks a free port when master binds, found afterwards in /proc.
function masterCf(): string {
  return `127.0.0.1:0 inet n - n - - smtpd
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
virtual   unix  -       n       n       -       -       virtual
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
`
}

/** Creates the directory layout Postfix's post-install would (so startup needs no checks). */
async function layout(dir: string): Promise<{ postfixUid: number; postdropGid: number }> {
  const postfixUid = (await stat('/var/spool/postfix/active').catch(() => null))?.uid
  const postdropGid = (await stat('/var/spool/postfix/public').catch(() => null))?.gid
  if (postfixUid === undefined || postdropGid === undefined) {
    throw new Error('startPostfix: Postfix does not look installed (/var/spool/postfix missing)')
  }
  await chmod(dir, 0o755)
  const spool = join(dir, 'spool')
  for (const sub of ['etc', 'spool', 'data', 'mail']) await mkdir(join(dir, sub))
  await chown(join(dir, 'data'), postfixUid, 0)
  await chown(join(dir, 'mail'), NOBODY, NOBODY)
  for (const sub of [...QUEUE_DIRS, ...QUEUE_DIRS_2]) {
    await mkdir(join(spool, sub), { mode: 0o700 })
    await chown(join(spool, sub), postfixUid, 0)
  }
  await mkdir(join(spool, 'pid'), { mode: 0o755 })
  await mkdir(join(spool, 'maildrop'), { mode: 0o730 })
  await mkdir(join(spool, 'public'), { mode: 0o710 })
  await chmod(join(spool, 'maildrop'), 0o730)
  await chmod(join(spool, 'public'), 0o710)
  await chown(join(spool, 'maildrop'), postfixUid, postdropGid)
  await chown(join(spool, 'public'), postfixUid, postdropGid)
  return { postfixUid, postdropGid }
}

/** The pid of master(8), the first line the watchdog prints. */
function masterPid(watchdog: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    let out = ''
    const onData = (s: string) => {
      out += s
      const line = /^(\d+)\n/.exec(out)
      if (line === null) return
      watchdog.stdout?.off('data', onData)
      watchdog.off('exit', onExit)
      resolve(Number(line[1]))
    }
    const onExit = () => reject(new Error('the watchdog exited before starting master'))
    watchdog.stdout?.setEncoding('utf8').on('data', onData)
    watchdog.once('exit', onExit)
  })
}

async function maildirFiles(maildir: string): Promise<string[]> {
  const files: string[] = []
  for (const sub of ['new', 'cur']) {
    const names = await readdir(join(maildir, sub)).catch(() => [] as string[])
    files.push(...names.map((n) => join(maildir, sub, n)))
  }
  // Maildir names start with the delivery time in seconds, then a per-host unique part.
  return files.sort((a, b) =>
    a.split('/').pop()!.localeCompare(b.split('/').pop()!, 'en', { numeric: true }),
  )
}

/** Starts a private Postfix (needs root) on a 127.0.0.1 port the kernel picks; about a second. */
export async function startPostfix(options: PostfixOptions = {}): Promise<PostfixServer> {
  const dir = await mkdtemp('/tmp/mail-testkit-postfix-')
  const etc = join(dir, 'etc')
  try {
    await layout(dir)
  } catch (error) {
    await rm(dir, { recursive: true, force: true })
    throw error
  }
  await writeFile(join(etc, 'main.cf'), mainCf(dir, options))
  await writeFile(join(etc, 'master.cf'), masterCf())
  // The watchdog owns master: closing its stdin (stop() or our death) stops and removes all.
  const watchdog = spawn(PYTHON, [WATCHDOG, etc, dir], { stdio: ['pipe', 'pipe', 'pipe'] })
  // At exit our end of the pipe closes by itself and the watchdog cleans up; never kill it.
  const unguard = onExit(() => watchdog.stdin?.destroy())
  let stderr = ''
  watchdog.stderr?.setEncoding('utf8').on('data', (s: string) => {
    stderr = (stderr + s).slice(-4000)
  })
  let stopped = false
  const stopAll = stopper(watchdog, { dir, graceMs: 10_000, unguard })
  const stop = () => {
    stopped = true
    return stopAll()
  }
  const log = async () =>
    `${stderr}${await readFile(join(dir, 'maillog'), 'utf8').catch(() => '')}`.slice(-3000)
  let port: number
  try {
    const master = await masterPid(watchdog)
    port = await waitListening(watchdog, () => stderr, 10_000, master)
  } catch (error) {
    const message = `startPostfix: ${(error as Error).message}\n${await log()}`
    await stop()
    throw new Error(message)
  }
  const maildir = join(dir, 'mail', 'Maildir')
  return {
    host: '127.0.0.1',
    port,
    async waitForDelivered(count, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs
      for (;;) {
        const files = await maildirFiles(maildir)
        if (files.length >= count) return Promise.all(files.map((f) => readFile(f)))
        if (stopped) throw new Error('Postfix was stopped')
        if (Date.now() > deadline) {
          throw new Error(
            `Postfix delivered ${files.length} of ${count} messages in ${timeoutMs} ms\n${await log()}`,
          )
        }
        await new Promise((r) => setTimeout(r, 25))
      }
    },
    stop,
  }
}
