import type { ChildProcess } from 'node:child_process'
import { readdir, readFile, readlink } from 'node:fs/promises'
import { createServer } from 'node:net'

/** The TCP ports a process listens on, read from /proc (Linux): its socket inodes in LISTEN. */
async function listeningPorts(pid: number): Promise<number[]> {
  const inodes = new Set<string>()
  for (const fd of await readdir(`/proc/${pid}/fd`).catch(() => [] as string[])) {
    const link = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => '')
    const m = /^socket:\[(\d+)\]$/.exec(link)
    if (m) inodes.add(m[1]!)
  }
  const ports: number[] = []
  for (const table of ['tcp', 'tcp6']) {
    const text = await readFile(`/proc/${pid}/net/${table}`, 'utf8').catch(() => '')
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/)
      // local_address is HEXADDR:HEXPORT; state 0A is LISTEN; the inode is field 9.
      if (f[3] === '0A' && f[9] !== undefined && inodes.has(f[9])) {
        ports.push(Number.parseInt(f[1]!.split(':')[1]!, 16))
      }
    }
  }
  return ports
}

/**
 * Resolves with the port `child` (or the process `pid`, which `child` runs) listens on once it
 * does (polling /proc, so a server told to use port 0 can be found); rejects if `child` exits
 * first or after `timeoutMs`.
 */
export async function waitListening(
  child: ChildProcess,
  describe: () => string,
  timeoutMs = 10_000,
  pid = child.pid,
): Promise<number> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(
        `exited (${child.exitCode ?? child.signalCode}) before listening: ${describe()}`,
      )
    }
    const [port] = pid === undefined ? [] : await listeningPorts(pid)
    if (port !== undefined) return port
    if (Date.now() > deadline) throw new Error(`not listening after ${timeoutMs} ms: ${describe()}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

/** A loopback port nothing listens on at the moment (for servers that cannot take port 0). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() =>
        typeof address === 'object' && address !== null
          ? resolve(address.port)
          : reject(new Error('no port')),
      )
    })
  })
}
