// The ceiling: a raw client that pipelines correctly (RFC 2920) with no abstraction at all.
// One round trip per message: the content, '.', and the next MAIL/RCPT/DATA leave in one write,
// and the client waits for exactly the replies that write produces (250 for the message, then
// 250, 250, 354 for the next envelope).
import net from 'node:net'
import { performance } from 'node:perf_hooks'

/** Reads SMTP replies off a socket; `expect(codes)` waits for that many final reply lines. */
function replyReader(socket) {
  let buffered = ''
  const replies = []
  let waiter = null
  const settle = () => {
    if (waiter && replies.length >= waiter.codes.length) {
      const got = replies.splice(0, waiter.codes.length)
      const w = waiter
      waiter = null
      const bad = got.findIndex((line, i) => !line.startsWith(w.codes[i]))
      if (bad !== -1) w.reject(new Error(`expected ${w.codes[bad]}, got "${got[bad]}"`))
      else w.resolve()
    }
  }
  socket.on('data', (chunk) => {
    buffered += chunk.latin1Slice(0, chunk.length)
    let nl = buffered.indexOf('\n')
    while (nl !== -1) {
      const line = buffered.slice(0, nl)
      buffered = buffered.slice(nl + 1)
      if (line.length < 4 || line[3] === ' ' || line[3] === '\r') replies.push(line)
      nl = buffered.indexOf('\n')
    }
    settle()
  })
  const fail = (error) => {
    if (waiter) waiter.reject(error)
    waiter = null
  }
  socket.on('error', fail)
  socket.on('close', () => fail(new Error('connection closed')))
  return {
    expect: (codes) =>
      new Promise((resolve, reject) => {
        waiter = { codes, resolve, reject }
        settle()
      }),
  }
}

// RFC 5321 4.5.2: a line starting with '.' gets one more '.'. Done before the clock starts.
const dotStuff = (raw) => raw.replace(/(^|\r\n)\./g, '$1..')

/**
 * Sends every message of `raws` (CRLF strings ending in CRLF) over one new connection to the sink
 * on `port`. Resolves the milliseconds from the first MAIL to the last message's 250.
 */
export async function ceilingSend(port, raws, envelope) {
  const socket = net.connect(port, '127.0.0.1')
  socket.setNoDelay(true)
  const replies = replyReader(socket)
  await replies.expect(['220'])
  socket.write('EHLO ceiling.localhost\r\n')
  await replies.expect(['250'])
  const env =
    `MAIL FROM:<${envelope.from}>\r\n` +
    envelope.to.map((to) => `RCPT TO:<${to}>\r\n`).join('') +
    'DATA\r\n'
  const envCodes = ['250', ...envelope.to.map(() => '250'), '354']
  const nextCodes = ['250', ...envCodes]
  const bodies = raws.map((raw) => `${dotStuff(raw)}.\r\n`)
  const start = performance.now()
  socket.write(env)
  await replies.expect(envCodes)
  for (let i = 0; i < bodies.length - 1; i++) {
    socket.write(bodies[i] + env)
    await replies.expect(nextCodes)
  }
  socket.write(bodies[bodies.length - 1])
  await replies.expect(['250'])
  const elapsed = performance.now() - start
  socket.write('QUIT\r\n')
  await replies.expect(['221'])
  socket.destroy()
  return elapsed
}
