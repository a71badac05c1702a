import { spawn } from 'node:child_process'
import { mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { makeCertificates } from './certs.js'
import { guardChild, stopper } from './cleanup.js'
import { PYTHON } from './python.js'

/**
 * One message accepted by a test server (aiosmtpd), exactly as the client sent it.
 *
 * @example
 * const [msg] = await server.waitFor(1)
 * expect(msg.rcptTos).toEqual(['bob@example.com'])
 * expect(msg.data.toString('latin1')).toContain('Subject: Hi\r\n')
 */
export interface ReceivedMessage {
  /** Reverse path from MAIL FROM without angle brackets; the null path is '<>' (as aiosmtpd reports it). */
  mailFrom: string
  /** Forward paths from RCPT TO, in order, without angle brackets. */
  rcptTos: string[]
  /** MAIL FROM parameters exactly as sent (case kept), e.g. `['SIZE=1234', 'BODY=8BITMIME', 'SMTPUTF8']`. */
  mailOptions: string[]
  /** RCPT TO parameters of all recipients exactly as sent, flattened in order, e.g. `['NOTIFY=SUCCESS']`. */
  rcptOptions: string[]
  /** Exact message bytes received in DATA, dot-unstuffed, final `.\r\n` removed. */
  data: Buffer
}

/**
 * Options for {@link startAiosmtpd}.
 *
 * @example
 * await startAiosmtpd({ security: 'starttls', requireStarttls: true, auth: { user: 'u', pass: 'p' } })
 */
export interface AiosmtpdOptions {
  /** 'none' (plain), 'starttls' (offers STARTTLS), 'implicit' (TLS from the first byte). Default 'none'. */
  security?: 'none' | 'starttls' | 'implicit'
  /** With 'starttls': refuse every command but EHLO/NOOP/QUIT/STARTTLS before TLS. */
  requireStarttls?: boolean
  /**
   * Offer AUTH PLAIN and LOGIN accepting only these credentials; MAIL is then refused (530)
   * until the client authenticated. With 'starttls', AUTH is only offered after STARTTLS; with
   * 'none' and 'implicit' it is offered at once (aiosmtpd cannot see implicit TLS).
   */
  auth?: { user: string; pass: string }
  /** Speak LMTP (LHLO, one reply per recipient after DATA) instead of SMTP. */
  lmtp?: boolean
  /** Advertise SMTPUTF8. Default true. */
  smtputf8?: boolean
  /**
   * Advertise DSN and accept its MAIL/RCPT parameters (RFC 3461: RET, ENVID, NOTIFY, ORCPT),
   * recorded as sent; aiosmtpd itself rejects them with 555. Default true.
   */
  dsn?: boolean
  /** Maximum message size in bytes (advertised as SIZE; larger data gets 552). aiosmtpd default 32 MiB. */
  dataSizeLimit?: number
  /**
   * Offer XOAUTH2 and OAUTHBEARER (or only `mechanisms`) accepting only the bearer tokens that
   * this RFC 7662 introspection endpoint calls active (testkit `startTokenEndpoint`), for `user`
   * when given. A refused token gets the 334 JSON error challenge, then 535, as Gmail does. MAIL
   * is refused (530) until the client authenticated; PLAIN and LOGIN are offered only with `auth`.
   */
  oauth2?: {
    introspectionUrl: string
    user?: string
    mechanisms?: ('XOAUTH2' | 'OAUTHBEARER')[]
  }
  /**
   * The names in the server certificate (DNS names or IP addresses). Default localhost,
   * 127.0.0.1 and ::1; other names let a test see a certificate refused for the wrong name.
   */
  tlsNames?: string[]
}

/**
 * A running aiosmtpd on 127.0.0.1. aiosmtpd answers a DATA line longer than 1000 octets
 * (plus a transparency dot) with 500, and supports neither CHUNKING (BDAT) nor PIPELINING.
 *
 * @example
 * const server = await startAiosmtpd()
 * try { ...send to server.port...; const [m] = await server.waitFor(1) } finally { await server.stop() }
 */
export interface AiosmtpdServer {
  host: '127.0.0.1'
  port: number
  /** PEM CA that signed the server certificate (CN=localhost, SAN localhost/127.0.0.1/::1 unless `tlsNames`). */
  ca: string
  /** Every message accepted so far (a message is recorded before its 250 reply is sent). */
  received(): Promise<ReceivedMessage[]>
  /** Resolves with all messages once at least `count` arrived; rejects after `timeoutMs` (default 10 s). */
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedMessage[]>
  /** Kills the server and removes its temporary files. Idempotent. */
  stop(): Promise<void>
}

const SCRIPT = join(import.meta.dirname, 'py', 'aiosmtpd_server.py')

/** Starts a real aiosmtpd 1.4 server (Debian python3) on a free loopback port. */
export async function startAiosmtpd(opts: AiosmtpdOptions = {}): Promise<AiosmtpdServer> {
  const { ca, key, cert } = await makeCertificates(opts.tlsNames)
  const dir = await mkdtemp(join(tmpdir(), 'mail-testkit-aiosmtpd-'))
  const msgDir = join(dir, 'messages')
  await writeFile(join(dir, 'key.pem'), key, { mode: 0o600 })
  await writeFile(join(dir, 'cert.pem'), cert)
  await mkdir(msgDir)
  const config = {
    root: dir,
    dir: msgDir,
    security: opts.security ?? 'none',
    require_starttls: opts.requireStarttls ?? false,
    cert: join(dir, 'cert.pem'),
    key: join(dir, 'key.pem'),
    auth: opts.auth ?? null,
    lmtp: opts.lmtp ?? false,
    smtputf8: opts.smtputf8 ?? true,
    data_size_limit: opts.dataSizeLimit ?? null,
    dsn: opts.dsn ?? true,
    oauth2:
      opts.oauth2 === undefined
        ? null
        : {
            introspection_url: opts.oauth2.introspectionUrl,
            user: opts.oauth2.user ?? null,
            mechanisms: opts.oauth2.mechanisms ?? null,
          },
  }
  const child = spawn(PYTHON, [SCRIPT, JSON.stringify(config)], {
    stdio: ['pipe', 'pipe', 'pipe'],
  })
  const unguard = guardChild(child, dir)
  let stderr = ''
  child.stderr.setEncoding('utf8').on('data', (s: string) => {
    stderr = (stderr + s).slice(-4000)
  })
  // Closing its stdin makes the server remove its directory and exit.
  let stopped = false
  const stopAll = stopper(child, { dir, graceMs: 3000, unguard })
  const stop = () => {
    stopped = true
    return stopAll()
  }
  let port: number
  try {
    port = await new Promise<number>((resolve, reject) => {
      let out = ''
      child.stdout.setEncoding('utf8').on('data', (s: string) => {
        out += s
        const nl = out.indexOf('\n')
        if (nl >= 0) resolve((JSON.parse(out.slice(0, nl)) as { port: number }).port)
      })
      child.once('error', reject)
      child.once('exit', (code) => reject(new Error(`aiosmtpd exited (${code}): ${stderr}`)))
    })
  } catch (error) {
    await stop()
    throw error
  }

  const received = async (): Promise<ReceivedMessage[]> => {
    const names = (await readdir(msgDir)).filter((n) => n.endsWith('.json')).sort()
    return Promise.all(
      names.map(async (n) => {
        const r = JSON.parse(await readFile(join(msgDir, n), 'utf8')) as Omit<
          ReceivedMessage,
          'data'
        > & { data: string }
        return { ...r, data: Buffer.from(r.data, 'base64') }
      }),
    )
  }
  const waitFor = async (count: number, timeoutMs = 10_000): Promise<ReceivedMessage[]> => {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      if (stopped) throw new Error('aiosmtpd server was stopped')
      const names = (await readdir(msgDir)).filter((n) => n.endsWith('.json'))
      if (names.length >= count) return received()
      if (Date.now() > deadline) {
        throw new Error(`aiosmtpd: ${names.length} of ${count} messages after ${timeoutMs} ms`)
      }
      await new Promise((r) => setTimeout(r, 20))
    }
  }
  return { host: '127.0.0.1', port, ca, received, waitFor, stop }
}
