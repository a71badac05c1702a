// Issue 5: sending with building included. 2,000 small messages over one connection and through
// a pool of 4, ours (createTransport + sendMany) vs Nodemailer (createTransport + sendMail), and
// the RSS while 100,000 messages stream through sendMany (in a fresh process).
import { fork } from 'node:child_process'
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import { smallMessage } from './fixtures.mjs'
import {
  attempter,
  fmtBytes,
  fmtRate,
  interleaved,
  MiB,
  runInChild,
  trackPeakRss,
} from './measure.mjs'
import { loadOurs } from './ours.mjs'
import { ratio } from './report.mjs'
import { drain, messages } from './send-side.mjs'
import { startSink } from './sink.mjs'

const COUNT = 2000
const RUNS = 5
const STREAM_COUNT = 100_000

/** Child process task: 100,000 messages generated lazily through one sendMany, RSS tracked. */
export async function streamTask({ port, count }) {
  const { mod, reason } = await loadOurs('@mail/send', ['createTransport'])
  if (!mod) throw new Error(reason)
  const t = mod.createTransport({
    host: '127.0.0.1',
    port,
    security: 'none',
    pool: { maxConnections: 4 },
  })
  await drain(t.sendMany(messages(2000))) // warm-up: connections open, code paths compiled
  const tracker = await trackPeakRss()
  let firstHalfPeak = 0
  let secondHalfPeak = 0
  let sent = 0
  const sample = () => {
    const rss = process.memoryUsage.rss()
    if (sent < count / 2) firstHalfPeak = Math.max(firstHalfPeak, rss)
    else secondHalfPeak = Math.max(secondHalfPeak, rss)
  }
  const timer = setInterval(sample, 20)
  async function* lazy() {
    for (let i = 0; i < count; i++) yield smallMessage(i)
  }
  const start = performance.now()
  let failed = 0
  for await (const r of t.sendMany(lazy())) {
    sent++
    if (r.error) failed++
  }
  const ms = performance.now() - start
  clearInterval(timer)
  sample()
  const mem = await tracker.stop()
  await t.close()
  return {
    ms,
    failed,
    mem,
    firstHalfIncrease: firstHalfPeak - mem.baseline,
    secondHalfIncrease: secondHalfPeak - mem.baseline,
  }
}

/**
 * A side for `interleaved`, run in its own long-lived process (send-side.mjs): `once()` resolves
 * ms, and the sink must count COUNT messages. In one process the two libraries' runs left Node's
 * shared stream code with each other's type feedback (de-optimised and recompiled, seen with
 * --trace-deopt): the first of our rounds after Nodemailer's ran at about 13,500 messages/s
 * instead of 21,000, two untimed rounds later it was back. Apart, each keeps its own code warm.
 */
function side(sink, who, kind, port) {
  const child = fork(
    fileURLToPath(new URL('./send-side.mjs', import.meta.url)),
    [who, kind, String(port), String(COUNT)],
    {
      execArgv: ['--expose-gc'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    },
  )
  children.add(child)
  let waiting
  child.on('message', (m) => {
    const w = waiting
    waiting = undefined
    if (m.error) w?.reject(new Error(m.error))
    else w?.resolve(m.value)
  })
  child.on('exit', (code) => {
    children.delete(child)
    waiting?.reject(new Error(`the ${who} ${kind} process exited (${code})`))
  })
  const ask = (cmd) =>
    new Promise((resolve, reject) => {
      waiting = { resolve, reject }
      child.send({ cmd })
    })
  return {
    warmup: () => ask('warmup'),
    async once() {
      // An untimed run first: the process sat idle while the others ran.
      await ask('once')
      const before = await sink.count()
      const ms = await ask('once')
      const got = (await sink.count()) - before
      if (got !== COUNT) throw new Error(`sink counted ${got} messages, expected ${COUNT}`)
      return ms
    },
  }
}

const children = new Set()

export async function run() {
  const rows = []
  const notes = []
  const { mod, reason } = await loadOurs('@mail/send', ['createTransport'])
  const ours = Boolean(mod)
  if (!ours) notes.push(`Our side not measured: ${reason}.`)
  const res = {}
  const keep = (results) => {
    for (const [key, r] of Object.entries(results)) {
      if (r.error)
        notes.push(`${key} failed: ${String(r.error?.message ?? r.error).split('\n')[0]}`)
      else res[key] = r
    }
  }
  const sink = await startSink('pipelining')
  const chunkSink = await startSink('chunking')
  try {
    const p = sink.port
    for (const kind of ['one', 'pool']) {
      keep(
        await interleaved(
          {
            [`nodemailer ${kind}`]: side(sink, 'nodemailer', kind, p),
            [`ours ${kind}`]: ours && side(sink, 'ours', kind, p),
            // report only: the same through a sink that also offers CHUNKING (as Postfix does)
            [`ours ${kind} chunking`]:
              ours && kind === 'one' && side(chunkSink, 'ours', kind, chunkSink.port),
          },
          { runs: RUNS },
        ),
      )
    }
    if (ours) {
      const attempt = attempter(res, notes, 130_000)
      await attempt('stream', async () => {
        const before = await sink.count()
        const r = await runInChild('send', 'streamTask', { port: p, count: STREAM_COUNT })
        const got = (await sink.count()) - before - 2000
        if (got !== STREAM_COUNT) throw new Error(`sink counted ${got} of ${STREAM_COUNT} messages`)
        return r
      })
    }
  } finally {
    for (const child of children) child.kill()
    await Promise.all([sink.stop(), chunkSink.stop()])
  }

  const rate = (key) => (res[key] ? (COUNT * 1000) / res[key].value : NaN)
  const show = (v) => (Number.isFinite(v) ? fmtRate(v) : 'n/a')
  const rounds = (key) => (res[key] ? res[key].runs.map((ms) => (COUNT * 1000) / ms) : [])
  for (const [kind, label, target] of [
    ['one', 'one connection', 10],
    ['pool', 'pool of 4 connections', 5],
  ]) {
    const vs = ratio(rate(`ours ${kind}`), rate(`nodemailer ${kind}`))
    // Every round, not only the median: each of ours against the Nodemailer round beside it.
    const ourRounds = rounds(`ours ${kind}`)
    const theirRounds = rounds(`nodemailer ${kind}`)
    const paired = ourRounds.map((r, i) => r / theirRounds[i])
    const worst =
      paired.length === RUNS && paired.every(Number.isFinite) ? Math.min(...paired) : NaN
    rows.push({
      figure: `${COUNT} small messages built and sent, ${label}, messages/s`,
      ours: show(rate(`ours ${kind}`)),
      nodemailer: show(rate(`nodemailer ${kind}`)),
      vsNodemailer: vs,
      target: `>= ${target}x Nodemailer in every round`,
      pass: worst >= target,
    })
    notes.push(
      `Every round, ${label}, messages/s: ours ${ourRounds.map(fmtRate).join(' / ')}; ` +
        `Nodemailer ${theirRounds.map(fmtRate).join(' / ')}; ours ÷ Nodemailer round by round ` +
        `${paired.map((x) => `${x.toFixed(1)}x`).join(' / ')} (worst ${Number.isFinite(worst) ? worst.toFixed(1) : 'n/a'}x).`,
    )
  }
  const chunkingRounds = rounds('ours one chunking')
  if (chunkingRounds.length > 0) {
    notes.push(
      `Every round, ours one connection with CHUNKING: ${chunkingRounds.map(fmtRate).join(' / ')}.`,
    )
  }
  rows.push({
    figure: `${COUNT} small messages built and sent, one connection, sink offering CHUNKING, messages/s`,
    ours: show(rate('ours one chunking')),
    nodemailer: show(rate('nodemailer one')),
    vsNodemailer: ratio(rate('ours one chunking'), rate('nodemailer one')),
    target: 'report only',
  })
  const s = res.stream
  // Bounded: the second half of the stream needs no more memory than the first (plus slack for
  // GC timing), and the whole stream stays far below what keeping every message would take.
  const bounded = s && s.failed === 0 && s.secondHalfIncrease <= s.firstHalfIncrease + 16 * MiB
  rows.push({
    figure: `${STREAM_COUNT.toLocaleString('en-US')} messages through sendMany (pool of 4), peak RSS increase`,
    ours: s ? fmtBytes(s.mem.increase) : 'n/a',
    reference: s
      ? `first half ${fmtBytes(s.firstHalfIncrease)}, second half ${fmtBytes(s.secondHalfIncrease)}`
      : undefined,
    target: 'bounded (2nd half <= 1st half + 16 MiB)',
    pass: Boolean(bounded),
  })
  if (s) {
    notes.push(
      `Stream: ${STREAM_COUNT.toLocaleString('en-US')} messages generated lazily by an async generator, ` +
        `${fmtRate((STREAM_COUNT * 1000) / s.ms)} over ${(s.ms / 1000).toFixed(1)} s, ${s.failed} failed; ` +
        'RSS sampled every 20 ms and by the kernel high-water mark, relative to the RSS after warm-up and gc.',
    )
  }
  notes.push(
    'Ours: `createTransport(...)` then `sendMany(array)` (one connection; `pool: { maxConnections: 4 }`). ' +
      'Nodemailer: `createTransport({ pool: true, maxConnections: 1 })` with `sendMail` awaited one ' +
      'after the other (its plain transport would open a connection per message), and ' +
      '`maxConnections: 4` with every `sendMail` issued at once. Building is included on both sides; ' +
      `each side runs in its own process; each figure is the median of ${RUNS} runs after at least 3 s of 200-message ` +
      'warm-up batches and then full runs until they stop getting faster; each timed run follows an untimed one of ' +
      'the same side; the runs of the sides interleaved; the sink checks the count.',
  )
  return { title: 'Send, building included (issue 5)', rows, notes }
}
