// Issue 4: the SMTP client against a fast loopback sink (its own process). 2,000 pre-built small
// messages over one connection, for our client (PIPELINING; CHUNKING), Nodemailer's
// SMTPConnection and the raw pipelining ceiling; and one 15 MB message, ours vs Nodemailer.
import { performance } from 'node:perf_hooks'
import SMTPConnection from 'nodemailer/lib/smtp-connection'
import { ceilingSend } from './ceiling.mjs'
import { envelope, largeRaw, smallRaw } from './fixtures.mjs'
import { attempter, fmtMs, fmtRate, gc, median } from './measure.mjs'
import { loadOurs } from './ours.mjs'
import { ratio } from './report.mjs'
import { startSink } from './sink.mjs'

const COUNT = 2000
const RUNS = 3
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

/** Median over RUNS runs (after a short warm-up) of `once()` ms; checks the sink's count. */
async function measure(sink, once, perRun, warmup) {
  await warmup()
  const times = []
  for (let r = 0; r < RUNS; r++) {
    gc()
    const before = await sink.count()
    times.push(await once())
    const got = (await sink.count()) - before
    if (got !== perRun) throw new Error(`sink counted ${got} messages, expected ${perRun}`)
  }
  return { value: median(times), runs: times }
}

const rate = (ms) => (COUNT * 1000) / ms

export async function run() {
  const rows = []
  const notes = []
  const raws = Array.from({ length: COUNT }, (_, i) => smallRaw(i))
  const warm = raws.slice(0, 200)
  const large = largeRaw(LARGE)
  const { mod, reason } = await loadOurs('@mail/smtp', ['SmtpClient'])
  const ours = mod ? oursClient(mod.SmtpClient) : null
  if (!ours) notes.push(`Our side not measured: ${reason}.`)
  const res = {}
  const attempt = attempter(res, notes)

  const sink = await startSink('pipelining')
  try {
    await attempt('ceiling', () =>
      measure(
        sink,
        () => ceilingSend(sink.port, raws, envelope),
        COUNT,
        () => ceilingSend(sink.port, warm, envelope),
      ),
    )
    await attempt('nodemailer', () =>
      measure(
        sink,
        () => nodemailerClient.many(sink.port, raws),
        COUNT,
        () => nodemailerClient.many(sink.port, warm),
      ),
    )
    if (ours) {
      await attempt('ours pipelining', () =>
        measure(
          sink,
          () => ours.many(sink.port, raws),
          COUNT,
          () => ours.many(sink.port, warm),
        ),
      )
    }
    await attempt('nodemailer 15 MB', () =>
      measure(
        sink,
        () => nodemailerClient.one(sink.port, large),
        1,
        () => nodemailerClient.one(sink.port, raws[0]),
      ),
    )
    if (ours) {
      await attempt('ours 15 MB', () =>
        measure(
          sink,
          () => ours.one(sink.port, large),
          1,
          () => ours.one(sink.port, raws[0]),
        ),
      )
    }
  } finally {
    await sink.stop()
  }

  if (ours) {
    const chunkSink = await startSink('chunking')
    try {
      await attempt('ours chunking', () =>
        measure(
          chunkSink,
          () => ours.many(chunkSink.port, raws),
          COUNT,
          () => ours.many(chunkSink.port, warm),
        ),
      )
      await attempt('ours 15 MB chunking', () =>
        measure(
          chunkSink,
          () => ours.one(chunkSink.port, large),
          1,
          () => ours.one(chunkSink.port, raws[0]),
        ),
      )
    } finally {
      await chunkSink.stop()
    }
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
    `Each figure: median of ${RUNS} runs over a fresh connection after a warm-up run; the clock ` +
      'runs from the first send to the last reply (connect and QUIT excluded); the sink checks ' +
      'that it received exactly the messages sent. Messages are pre-built CRLF strings ' +
      `(~${raws[0].length} bytes; the large one ${(large.length / 1e6).toFixed(1)} MB of 76-character lines).`,
    'Ours: all sends issued at once on one `SmtpClient` (it queues and pipelines them); ' +
      'Nodemailer: `SMTPConnection.send()` one after the other, as its API requires; ' +
      'PIPELINING and 15 MB DATA figures against a sink without CHUNKING, CHUNKING figures ' +
      'against a sink offering it.',
  )
  return { title: 'SMTP client (issue 4)', rows, notes }
}
