// A fast loopback SMTP sink, run in its own process so its work does not share the client's
// event loop. It answers every command at once (all replies produced by one read leave in one
// write), offers PIPELINING, SIZE and 8BITMIME, and CHUNKING in the 'chunking' modes; the 'large'
// modes advertise SIZE without a limit (RFC 1870: no fixed maximum) instead of 100 MiB. It finds the
// DATA terminator (RFC 5321 4.1.1.4) and BDAT chunk lengths (RFC 3030) exactly, across reads,
// and counts complete messages.
//
// Run as a process: `node sink.mjs <pipelining|chunking|large|large-chunking>` (forked by
// startSink below); it sends { port } over IPC, answers { cmd: 'count' } with { count } and exits
// on { cmd: 'stop' }.
import { fork } from 'node:child_process'
import net from 'node:net'
import { fileURLToPath } from 'node:url'

const TERMINATOR = '\r\n.\r\n'
const LF = 0x0a

function createSinkServer(mode) {
  const chunking = mode.endsWith('chunking')
  let count = 0
  const size = mode.startsWith('large') ? 'SIZE' : 'SIZE 104857600'
  const ehlo =
    `250-sink.localhost\r\n250-PIPELINING\r\n250-${size}\r\n` +
    (chunking ? '250-CHUNKING\r\n' : '') +
    '250 8BITMIME\r\n'
  const sockets = new Set()

  const server = net.createServer((socket) => {
    sockets.add(socket)
    socket.setNoDelay(true)
    socket.on('close', () => sockets.delete(socket))
    socket.on('error', () => {})
    let state = 'cmd' // 'cmd' | 'data' | 'bdat'
    let pending = '' // partial command line
    let tail = '' // last <= 4 octets seen in DATA, for a terminator split across reads
    let bdatLeft = 0
    let bdatLast = false
    let quitting = false

    const command = (line) => {
      const verb = line.slice(0, 4).toUpperCase()
      switch (verb) {
        case 'EHLO':
          return ehlo
        case 'HELO':
          return '250 sink.localhost\r\n'
        case 'MAIL':
        case 'RCPT':
        case 'RSET':
        case 'NOOP':
          return '250 OK\r\n'
        case 'DATA':
          state = 'data'
          tail = '\r\n' // the CRLF that ended the DATA line may start the terminator
          return '354 Go ahead\r\n'
        case 'BDAT': {
          const m = /^BDAT (\d+)( LAST)?$/i.exec(line)
          if (!m) return '501 Syntax: BDAT size [LAST]\r\n'
          bdatLeft = Number(m[1])
          bdatLast = Boolean(m[2])
          if (bdatLeft === 0) return bdatDone()
          state = 'bdat'
          return ''
        }
        case 'QUIT':
          quitting = true
          return '221 Bye\r\n'
        default:
          return '502 Not implemented\r\n'
      }
    }
    const bdatDone = () => {
      state = 'cmd'
      if (bdatLast) {
        count++
        return '250 Message accepted\r\n'
      }
      return '250 Chunk accepted\r\n'
    }

    socket.on('data', (chunk) => {
      let out = ''
      let pos = 0
      while (pos < chunk.length) {
        if (state === 'cmd') {
          const nl = chunk.indexOf(LF, pos)
          if (nl === -1) {
            pending += chunk.latin1Slice(pos, chunk.length)
            if (pending.length > 4096) {
              socket.destroy()
              return
            }
            break
          }
          let line = pending + chunk.latin1Slice(pos, nl)
          pending = ''
          pos = nl + 1
          if (line.endsWith('\r')) line = line.slice(0, -1)
          out += command(line)
        } else if (state === 'data') {
          // the earliest terminator: one starting in the tail of earlier reads, else in this one
          const head = chunk.latin1Slice(pos, Math.min(pos + 4, chunk.length))
          const joined = tail + head
          const k = joined.indexOf(TERMINATOR)
          let end = -1
          if (k !== -1) end = pos + k + TERMINATOR.length - tail.length
          else {
            const i = chunk.indexOf(TERMINATOR, pos, 'latin1')
            if (i !== -1) end = i + TERMINATOR.length
          }
          if (end === -1) {
            tail = (tail + chunk.latin1Slice(Math.max(pos, chunk.length - 4), chunk.length)).slice(
              -4,
            )
            break
          }
          pos = end
          state = 'cmd'
          count++
          out += '250 Message accepted\r\n'
        } else {
          const take = Math.min(bdatLeft, chunk.length - pos)
          bdatLeft -= take
          pos += take
          if (bdatLeft === 0) out += bdatDone()
        }
      }
      if (out) socket.write(out)
      if (quitting) socket.end()
    })
    socket.write('220 sink.localhost ESMTP ready\r\n')
  })
  return {
    server,
    count: () => count,
    close() {
      for (const s of sockets) s.destroy()
      server.close()
    },
  }
}

/** Starts a sink process; resolves { port, count(), stop() }. */
export function startSink(mode = 'pipelining') {
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(import.meta.url), [mode], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    })
    const waiters = []
    // never outlive the bench, even when it exits without stopping this sink
    const kill = () => child.kill('SIGKILL')
    process.on('exit', kill)
    child.once('exit', () => process.off('exit', kill))
    child.on('message', (m) => {
      if ('port' in m) {
        resolve({
          port: m.port,
          count: () =>
            new Promise((r) => {
              waiters.push(r)
              child.send({ cmd: 'count' })
            }),
          stop: () =>
            new Promise((r) => {
              if (child.exitCode !== null) return r()
              child.once('exit', () => r())
              child.send({ cmd: 'stop' })
            }),
        })
      } else if ('count' in m) waiters.shift()?.(m.count)
    })
    child.once('error', reject)
    child.once('exit', (code) => reject(new Error(`sink exited early (${code})`)))
  })
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const sink = createSinkServer(process.argv[2] ?? 'pipelining')
  sink.server.listen(0, '127.0.0.1', () => {
    process.send({ port: sink.server.address().port })
  })
  process.on('message', (m) => {
    if (m.cmd === 'count') process.send({ count: sink.count() })
    else if (m.cmd === 'stop') {
      sink.close()
      process.exit(0)
    }
  })
  // the parent went away: do not linger
  process.on('disconnect', () => process.exit(0))
}
