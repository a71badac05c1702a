// Issue 4: the SMTP client against a fast loopback sink (its own process). 2,000 pre-built small
// messages over one connection, for our client (PIPELINING; CHUNKING), Nodemailer's
// SMTPConnection and the raw pipelining ceiling; and one 15 MB message, ours vs Nodemailer.
import { performance } from 'node:perf_hooks'
import SMTPConnection from 'nodemailer/lib/smtp-connection'
import { ceilingSend } from './ceiling.mjs'
import { envelope, largeRaw, smallRaw } from './fixtures.mjs'
import { fmtMs, fmtRate, interleaved, warmFor } from './measure.mjs'
import { loadOurs } from './ours.mjs'
import { ratio } from './report.mjs'
import { startSink } from './sink.mjs'

const COUNT = 2000
const RUNS = 7
const LARGE = 15 * 1000 * 1000

// --- Nodemailer: connect, then send each message with .send(), one after the other (its API
// takes one message at a time per connection).
const nmConnect = (port) =>
  new Promise((resolve, reject) => {
    const conn = new SMTPConnection({ host: '127.0.0.1', port, secure: false, ignoreTLS: true })
    conn.once('error', reject)
    conn.connect(() => resolve(conn))
  })
const nmSend = (conn, raw) =>
  new Promise((resolve, reject) => {
    conn.send(envelope, raw, (err, info) => (err ? reject(err) : resolve(info)))
  })
const nmQuit = (conn) =>
  new Promise((resolve) => {
    conn.once('end', resolve)
    conn.quit()
  })

const nodemailerClient = {
  async many(port, raws) {
    const conn = await nmConnect(port)
    const start = performance.now()
    for (const raw of raws) await nmSend(conn, raw)
    const ms = performance.now() - start
    await nmQuit(conn)
    return ms
  },
  async one(port, raw) {
    const conn = await nmConnect(port)
    const start = performance.now()
    await nmSend(conn, raw)
    const ms = performance.now() - start
    await nmQuit(conn)
    return ms
  },
}

// --- Ours: every send is issued at once; the client queues them on the connection and pipelines
// (issue 4: the next transaction's commands leave with the previous end of data).
const oursClient = (SmtpClient) => ({
  async many(port, raws, options = {}) {
    const client = await SmtpClient.connect({
      host: '127.0.0.1',
      port,
      security: 'none',
      ...options,
    })
    const start = performance.now()
    await Promise.all(raws.map((raw) => client.send(envelope, raw)))
    const ms = performance.now() - start
    await client.quit()
    return ms
  },
  async one(port, raw, options = {}) {
    const client = await SmtpClient.connect({
      host: '127.0.0.1',
      port,
      security: 'none',
      ...options,
    })
    const start = performance.now()
    await client.send(envelope, raw)
    const ms = performance.now() - start
    await client.quit()
    return ms
  },
})

/** A side for `interleaved`: `once()` resolves ms, and the sink must count `perRun` messages. */
const side = (sink, perRun, warmup, once, warmMs = 3000) => ({
  warmup: () => warmFor(warmup, warmMs),
  async once() {
    const before = await sink.count()
    const ms = await once()
    const got = (await sink.count()) - before
    if (got !== perRun) throw new Error(`sink counted ${got} messages, expected ${perRun}`)
    return ms
  },
})

const rate = (ms) => (COUNT * 1000) / ms

export async function run() {
  const rows = []
  const notes = []
  const raws = Array.from({ length: COUNT }, (_, i) => smallRaw(i))
  const large = largeRaw(LARGE)
  const { mod, reason } = await loadOurs('@mail/smtp', ['SmtpClient'])
  const ours = mod ? oursClient(mod.SmtpClient) : null
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
    const c = chunkSink.port
    keep(
      await interleaved(
        {
          ceiling: side(
            sink,
            COUNT,
            () => ceilingSend(p, raws, envelope),
            () => ceilingSend(p, raws, envelope),
          ),
          nodemailer: side(
            sink,
            COUNT,
            () => nodemailerClient.many(p, raws),
            () => nodemailerClient.many(p, raws),
          ),
          'ours pipelining':
            ours &&
            side(
              sink,
              COUNT,
              () => ours.many(p, raws),
              () => ours.many(p, raws),
            ),
          'ours chunking':
            ours &&
            side(
              chunkSink,
              COUNT,
              () => ours.many(c, raws),
              () => ours.many(c, raws),
            ),
        },
        { runs: RUNS },
      ),
    )
    keep(
      await interleaved(
        {
          'nodemailer 15 MB': side(
            sink,
            1,
            () => nodemailerClient.one(p, large),
            () => nodemailerClient.one(p, large),
            0,
          ),
          'ours 15 MB':
            ours &&
            side(
              sink,
              1,
              () => ours.one(p, large),
              () => ours.one(p, large),
              0,
            ),
          'ours 15 MB chunking':
            ours &&
            side(
              chunkSink,
              1,
              () => ours.one(c, large),
              () => ours.one(c, large),
              0,
            ),
        },
        { runs: 5 },
      ),
    )
  } finally {
    await Promise.all([sink.stop(), chunkSink.stop()])
  }

  const ceil = res.ceiling ? rate(res.ceiling.value) : NaN
  const nm = res.nodemailer ? rate(res.nodemailer.value) : NaN
  const pipe = res['ours pipelining'] ? rate(res['ours pipelining'].value) : NaN
  const chunk = res['ours chunking'] ? rate(res['ours chunking'].value) : NaN
  const show = (v) => (Number.isFinite(v) ? fmtRate(v) : 'n/a')
  rows.push({
    figure: `${COUNT} small messages, one connection, PIPELINING, messages/s`,
    ours: show(pipe),
    nodemailer: show(nm),
    reference: `${show(ceil)} (ceiling)`,
    vsNodemailer: ratio(pipe, nm),
    vsReference: ratio(pipe, ceil),
    target: '>= 0.8x ceiling',
    pass: ratio(pipe, ceil) >= 0.8,
  })
  rows.push({
    figure: `${COUNT} small messages, one connection, CHUNKING, messages/s`,
    ours: show(chunk),
    nodemailer: show(nm),
    reference: `${show(pipe)} (ours, PIPELINING)`,
    vsNodemailer: ratio(chunk, nm),
    vsReference: ratio(chunk, pipe),
    target: '>= 3x PIPELINING',
    pass: ratio(chunk, pipe) >= 3,
  })
  const t = (key) => res[key]?.value ?? NaN
  const showMs = (v) => (Number.isFinite(v) ? fmtMs(v) : 'n/a')
  rows.push({
    figure: 'one 15 MB message (DATA), time',
    ours: showMs(t('ours 15 MB')),
    nodemailer: showMs(t('nodemailer 15 MB')),
    vsNodemailer: ratio(t('ours 15 MB'), t('nodemailer 15 MB')),
    target: '<= 0.5x Nodemailer',
    pass: ratio(t('ours 15 MB'), t('nodemailer 15 MB')) <= 0.5,
  })
  rows.push({
    figure: 'one 15 MB message (BDAT, sink offers CHUNKING), time',
    ours: showMs(t('ours 15 MB chunking')),
    nodemailer: showMs(t('nodemailer 15 MB')),
    vsNodemailer: ratio(t('ours 15 MB chunking'), t('nodemailer 15 MB')),
    target: 'report only',
  })
  notes.push(
    `Each figure: median of ${RUNS} runs (15 MB: 5) over a fresh connection after at least 3 s of warm-up runs (the JIT of the client and the sink needs it), the runs of ` +
      'all sides interleaved; the clock ' +
      'runs from the first send to the last reply (connect and QUIT excluded); the sink checks ' +
      'that it received exactly the messages sent. Messages are pre-built CRLF strings ' +
      `(~${raws[0].length} bytes; the large one ${(large.length / 1e6).toFixed(1)} MB of 76-character lines).`,
    'Ours: all sends issued at once on one `SmtpClient` (it queues and pipelines them); ' +
      'Nodemailer: `SMTPConnection.send()` one after the other, as its API requires; ' +
      'PIPELINING and 15 MB DATA figures against a sink without CHUNKING, CHUNKING figures ' +
      'against a sink offering it.',
  )
  const runsOf = (key, fmt) => (res[key] ? res[key].runs.map(fmt).join(' / ') : 'n/a')
  const perSec = (ms) => Math.round(rate(ms)).toLocaleString('en-US')
  notes.push(
    `Every run, messages/s: ceiling ${runsOf('ceiling', perSec)}; Nodemailer ${runsOf('nodemailer', perSec)}; ` +
      `ours PIPELINING ${runsOf('ours pipelining', perSec)}; ours CHUNKING ${runsOf('ours chunking', perSec)}. ` +
      `15 MB, ms: Nodemailer ${runsOf('nodemailer 15 MB', Math.round)}; ours DATA ${runsOf('ours 15 MB', Math.round)}; ` +
      `ours BDAT ${runsOf('ours 15 MB chunking', Math.round)}.`,
  )
  return { title: 'SMTP client (issue 4)', rows, notes }
}
