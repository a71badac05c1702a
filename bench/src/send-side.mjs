// One side of the send figures (send.mjs) in its own long-lived process, so that neither
// library's runs leave the other's code de-optimised: `node send-side.mjs <ours|nodemailer>
// <one|pool> <port> <count>`, then { cmd: 'warmup' | 'once' } over IPC, each answered with
// { value } (ms for 'once') or { error }.
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import { smallMessage } from './fixtures.mjs'
import { warmFor } from './measure.mjs'
import { loadOurs } from './ours.mjs'

/** `n` small messages, the subjects numbered from `offset`. */
export const messages = (n, offset = 0) =>
  Array.from({ length: n }, (_, i) => smallMessage(offset + i))

// Nodemailer's best shot: its plain transport opens a new connection per message, so one
// connection is its pool with maxConnections 1 (sent one after the other); the pool of 4 gets
// every message at once so all four connections stay busy. `nodemailer` is given by main: only
// the process that measures Nodemailer loads it.
const nodemailerSide = (nodemailer) => ({
  async one(port, msgs) {
    const t = nodemailer.createTransport({
      host: '127.0.0.1',
      port,
      secure: false,
      ignoreTLS: true,
      pool: true,
      maxConnections: 1,
      maxMessages: Number.POSITIVE_INFINITY,
    })
    const start = performance.now()
    for (const m of msgs) await t.sendMail(m)
    const ms = performance.now() - start
    t.close()
    return ms
  },
  async pool(port, msgs) {
    const t = nodemailer.createTransport({
      host: '127.0.0.1',
      port,
      secure: false,
      ignoreTLS: true,
      pool: true,
      maxConnections: 4,
      maxMessages: Number.POSITIVE_INFINITY,
    })
    const start = performance.now()
    await Promise.all(msgs.map((m) => t.sendMail(m)))
    const ms = performance.now() - start
    t.close()
    return ms
  },
})

/** Reads every result of a `sendMany`; throws when any send failed. */
export async function drain(results) {
  let failed = 0
  let first
  for await (const r of results) {
    if (r.error) {
      failed++
      first ??= r.error
    }
  }
  if (failed > 0) throw new Error(`${failed} sends failed, first: ${first?.message ?? first}`)
}

const oursSide = (createTransport) => ({
  async one(port, msgs) {
    const t = createTransport({ host: '127.0.0.1', port, security: 'none' })
    const start = performance.now()
    await drain(t.sendMany(msgs))
    const ms = performance.now() - start
    await t.close()
    return ms
  },
  async pool(port, msgs) {
    const t = createTransport({
      host: '127.0.0.1',
      port,
      security: 'none',
      pool: { maxConnections: 4 },
    })
    const start = performance.now()
    await drain(t.sendMany(msgs))
    const ms = performance.now() - start
    await t.close()
    return ms
  },
})

/**
 * Warms up on the measured workload itself: full runs until one is no more than 5% faster than
 * the best before it (at least 2, at most 8). Small batches alone leave code that only a long
 * run reaches (and the JIT work it causes) to the first timed round.
 */
async function settle(once) {
  let best = Number.POSITIVE_INFINITY
  for (let i = 0; i < 8; i++) {
    const ms = await once()
    if (i >= 1 && ms > best * 0.95) return
    best = Math.min(best, ms)
  }
}

async function main() {
  const [who, kind, portText, countText] = process.argv.slice(2)
  const port = Number(portText)
  const msgs = messages(Number(countText))
  const warm = messages(200, msgs.length)
  // Each process loads only the library it measures: another library's modules in the heap
  // change the collector's pacing (with Nodemailer loaded, our large send ran 2-3x slower).
  let sideOf
  if (who === 'ours') {
    const { mod, reason } = await loadOurs('@mail/send', ['createTransport'])
    if (!mod) throw new Error(reason)
    sideOf = oursSide(mod.createTransport)
  } else sideOf = nodemailerSide((await import('nodemailer')).default)
  const run = sideOf[kind]
  process.on('message', async ({ cmd }) => {
    try {
      if (cmd === 'warmup') {
        await warmFor(() => run(port, warm), 3000)
        await settle(() => run(port, msgs))
        process.send({ value: true })
      } else process.send({ value: await run(port, msgs) })
    } catch (error) {
      process.send({ error: String(error?.stack ?? error) })
    }
  })
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main()
