import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { exited, guardChild } from './cleanup.js'
import { freePort, waitListening } from './listening.js'

/**
 * A proxy server running on 127.0.0.1 for a test.
 *
 * @example
 * const proxy = await startMicrosocks({ auth: { user: 'u', pass: 'p' } })
 * await SmtpClient.connect({ host: 'localhost', port, proxy: proxy.url })
 */
export interface ProxyServer {
  host: '127.0.0.1'
  port: number
  /** The proxy URL with its credentials percent-encoded: 'socks5://u:p@127.0.0.1:40000'. */
  url: string
  /** What the proxy wrote to its log or stderr so far (for failure messages). */
  log(): string
  /** Kills the proxy and removes its temporary files. Idempotent. */
  stop(): Promise<void>
}

/** Options of {@link startTinyproxy} and {@link startMicrosocks}. */
export interface ProxyOptions {
  /** Require these credentials (HTTP Basic for tinyproxy, RFC 1929 for microsocks). */
  auth?: { user: string; pass: string }
}

/** Options of {@link startTinyproxy}. */
export interface TinyproxyOptions extends ProxyOptions {
  /**
   * Ports CONNECT may reach (tinyproxy's `ConnectPort`; Debian's own configuration allows only
   * 443 and 563). Default: every port.
   */
  connectPorts?: number[]
}

function proxyUrl(scheme: string, port: number, auth: ProxyOptions['auth']): string {
  const userinfo =
    auth === undefined ? '' : `${encodeURIComponent(auth.user)}:${encodeURIComponent(auth.pass)}@`
  return `${scheme}://${userinfo}127.0.0.1:${port}`
}

async function run(
  command: string,
  args: string[],
  dir?: string,
  logFile?: string,
): Promise<{ port: number; log: () => string; stop: () => Promise<void> }> {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] })
  const unguard = guardChild(child, dir)
  let output = ''
  const collect = (s: string) => {
    output = (output + s).slice(-8000)
  }
  child.stdout?.setEncoding('utf8').on('data', collect)
  child.stderr?.setEncoding('utf8').on('data', collect)
  const log = () => {
    if (logFile === undefined) return output
    try {
      return output + readFileSync(logFile, 'utf8')
    } catch {
      return output
    }
  }
  let stopped: Promise<void> | undefined
  const stop = () => {
    stopped ??= (async () => {
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000)
      await exited(child)
      clearTimeout(timer)
      if (dir !== undefined) await rm(dir, { recursive: true, force: true })
      unguard()
    })()
    return stopped
  }
  try {
    const port = await waitListening(child, () => `${command}: ${log()}`)
    return { port, log, stop }
  } catch (error) {
    await stop()
    throw error
  }
}

/**
 * Starts Debian's `tinyproxy` (an HTTP proxy that tunnels with CONNECT) on a free loopback port,
 * from a temporary configuration. tinyproxy cannot listen on port 0, so a free port is chosen
 * first and another one tried if it was taken meanwhile. BasicAuth passwords may only hold
 * letters, digits, '.', '_' and '-' (tinyproxy's configuration syntax).
 */
export async function startTinyproxy(options: TinyproxyOptions = {}): Promise<ProxyServer> {
  const { auth, connectPorts } = options
  if (auth !== undefined && !/^[\w.-]+$/.test(auth.user + auth.pass)) {
    throw new Error('tinyproxy credentials may only hold letters, digits, ".", "_" and "-"')
  }
  let lastError: unknown
  for (let attempt = 0; attempt < 5; attempt++) {
    const dir = await mkdtemp(join(tmpdir(), 'mail-testkit-tinyproxy-'))
    const port = await freePort()
    const logFile = join(dir, 'tinyproxy.log')
    const config = [
      `Port ${port}`,
      'Listen 127.0.0.1',
      'Timeout 60',
      'MaxClients 100',
      'Allow 127.0.0.1',
      'DisableViaHeader Yes',
      'LogLevel Connect',
      `LogFile "${logFile}"`,
      ...(connectPorts ?? []).map((p) => `ConnectPort ${p}`),
      ...(auth === undefined ? [] : [`BasicAuth ${auth.user} ${auth.pass}`]),
      '',
    ].join('\n')
    await writeFile(join(dir, 'tinyproxy.conf'), config)
    try {
      // -d: stay in the foreground, so the test owns the process.
      const started = await run(
        'tinyproxy',
        ['-d', '-c', join(dir, 'tinyproxy.conf')],
        dir,
        logFile,
      )
      return {
        host: '127.0.0.1',
        port: started.port,
        url: proxyUrl('http', started.port, auth),
        log: started.log,
        stop: started.stop,
      }
    } catch (error) {
      lastError = error
    }
  }
  throw lastError
}

/**
 * Starts Debian's `microsocks` (a SOCKS5 server) on loopback port 0; its port is read from /proc.
 * With `auth`, only RFC 1929 user/password authentication is accepted.
 */
export async function startMicrosocks(options: ProxyOptions = {}): Promise<ProxyServer> {
  const { auth } = options
  const args = ['-i', '127.0.0.1', '-p', '0']
  if (auth !== undefined) args.push('-u', auth.user, '-P', auth.pass)
  const started = await run('microsocks', args)
  return {
    host: '127.0.0.1',
    port: started.port,
    url: proxyUrl('socks5', started.port, auth),
    log: started.log,
    stop: started.stop,
  }
}
