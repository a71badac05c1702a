// Issue 3: building messages. Small text+html throughput, and one binary attachment of 1 MiB and
// 10 MiB (time and peak RSS increase) against Nodemailer's MailComposer and the base64 floor.
import MailComposer from 'nodemailer/lib/mail-composer'
import { attachmentMessage, randomData, smallMessage } from './fixtures.mjs'
import {
  cpuNow,
  fixedMallocEnv,
  fmtBytes,
  fmtMs,
  fmtRate,
  interleaved,
  MiB,
  median,
  medianTime,
  rateSide,
  runInChild,
  trackPeakRss,
} from './measure.mjs'
import { loadOurs } from './ours.mjs'
import { ratio } from './report.mjs'

const builders = {
  async ours() {
    const { mod, reason } = await loadOurs('@mail/mime', ['buildMessage'])
    if (!mod) throw new Error(reason)
    return (input) => mod.buildMessage(input)
  },
  async nodemailer() {
    return (input) => new MailComposer(input).compile().build()
  },
  // The floor: only the base64 encoding of the attachment bytes, nothing else.
  async floor() {
    return (input) => Buffer.from(input.attachments[0].content).toString('base64')
  },
}

const byteLength = (out) => (typeof out === 'string' ? Buffer.byteLength(out) : out.length)

/**
 * Child process task, memory: one build in a fresh process (after a warm-up on a small
 * attachment, so the peak is the big message's and not the JIT's); also its CPU time, cold.
 */
export async function attachmentMemoryTask({ side, size }) {
  const build = await builders[side]()
  const input = attachmentMessage(randomData(size))
  for (let i = 0; i < 3; i++) await build(attachmentMessage(randomData(64 * 1024)))
  const tracker = await trackPeakRss()
  const cpu0 = cpuNow()
  let out = await build(input)
  const cold = cpuNow() - cpu0
  const mem = await tracker.stop()
  const outputSize = byteLength(out)
  out = null
  return { mem, outputSize, cold }
}

/** Child process task, time: CPU ms per build, median of several after a warm-up. */
export async function attachmentTimeTask({ side, size }) {
  const build = await builders[side]()
  const input = attachmentMessage(randomData(size))
  // A 1 MiB build takes well under a millisecond: each timed sample is a batch of builds (the
  // per-build figure is the batch divided by its size), so one scheduler tick does not decide it.
  const batch = size >= 10 * MiB ? 1 : 8
  const many = async () => {
    for (let i = 0; i < batch; i++) await build(input)
  }
  // Warm for 2 s, as long as the small-message figure needs: timed after only a few builds, the
  // JS around the encoder (validation, headers, boundaries) still runs in the interpreter, and
  // the figure measures the JIT's tiers instead of the code (the first build in a fresh process
  // is reported on its own).
  const time = await medianTime(many, {
    warmup: 2,
    warmupMs: 2000,
    iterations: size >= 10 * MiB ? 9 : 15,
    clock: 'cpu',
    gcFirst: true,
  })
  return { time: time.value / batch, best: time.best / batch, wall: time.wall / batch }
}

/** Fresh processes that time each side: the median of their medians is the figure. */
const TIME_PROCESSES = 3

/**
 * Every side's memory (one fresh process each), then its time in TIME_PROCESSES fresh processes,
 * the sides taking turns, so that a change in the machine's load hits them alike and no one
 * process's luck (where its heap and malloc arenas fall) decides a figure. A side that fails
 * resolves `{ error }`.
 */
async function attachments(sides, size) {
  const out = {}
  for (const side of sides) {
    try {
      out[side] = {
        ...(await runInChild('mime', 'attachmentMemoryTask', { side, size })),
        times: [],
      }
    } catch (error) {
      out[side] = { error }
    }
  }
  for (let k = 0; k < TIME_PROCESSES; k++) {
    for (const side of sides) {
      if (out[side].error) continue
      try {
        const env = fixedMallocEnv()
        out[side].times.push(
          await runInChild('mime', 'attachmentTimeTask', { side, size }, { env }),
        )
      } catch (error) {
        out[side] = { error }
      }
    }
  }
  for (const side of sides) {
    const o = out[side]
    if (o.error) continue
    o.time = median(o.times.map((t) => t.time))
    o.best = Math.min(...o.times.map((t) => t.best))
    o.wall = median(o.times.map((t) => t.wall))
  }
  return out
}

async function small() {
  const inputs = Array.from({ length: 64 }, (_, i) => smallMessage(i))
  let i = 0
  const next = () => inputs[i++ & 63]
  const nm = await builders.nodemailer()
  const sizeNm = byteLength(await nm(smallMessage(0)))
  const { mod, reason } = await loadOurs('@mail/mime', ['buildMessage'])
  const sizeOurs = mod ? byteLength(mod.buildMessage(smallMessage(0))) : 0
  const r = await interleaved({
    nodemailer: rateSide(() => nm(next()), { clock: 'cpu' }),
    ours: mod ? rateSide(() => mod.buildMessage(next()), { clock: 'cpu' }) : null,
  })
  if (r.nodemailer.error) throw r.nodemailer.error
  const oursReason = mod ? (r.ours.error ? String(r.ours.error.message) : '') : reason
  return {
    nodemailer: r.nodemailer,
    ours: r.ours && !r.ours.error ? r.ours : null,
    reason: oursReason,
    sizeNm,
    sizeOurs,
  }
}

export async function run() {
  const rows = []
  const notes = []
  const s = await small()
  const vs = s.ours ? ratio(s.ours.value, s.nodemailer.value) : NaN
  rows.push({
    figure: 'small text+html message, messages per CPU second',
    ours: s.ours ? fmtRate(s.ours.value) : 'n/a',
    nodemailer: fmtRate(s.nodemailer.value),
    vsNodemailer: vs,
    target: '>= 10x Nodemailer',
    pass: s.ours ? vs >= 10 : false,
  })
  notes.push(
    `Small message built size: ours ${s.sizeOurs || 'n/a'} bytes, Nodemailer ${s.sizeNm} bytes. ` +
      'Throughput = messages per second of process CPU time (user + system), median of 3 ' +
      'one-second runs after a warm-up that lasts until the rate stops climbing (Nodemailer needs 2-5 s here), the runs of the two sides interleaved; by wall clock: ' +
      `ours ${s.ours ? fmtRate(s.ours.wall) : 'n/a'}, Nodemailer ${fmtRate(s.nodemailer.wall)}.`,
  )
  if (!s.ours) notes.push(`Our side not measured: ${s.reason}.`)

  for (const size of [MiB, 10 * MiB]) {
    const label = `${size / MiB} MiB`
    const measured = await attachments(['floor', 'nodemailer', 'ours'], size)
    for (const side of ['floor', 'nodemailer']) if (measured[side].error) throw measured[side].error
    const { floor, nodemailer: nm } = measured
    let ours = measured.ours
    if (ours.error) {
      notes.push(
        `Our ${label} attachment build failed: ${String(ours.error.message).split('\n')[0]}`,
      )
      ours = null
    }
    const tRatio = ours ? ratio(ours.time, floor.time) : NaN
    rows.push({
      figure: `${label} attachment, build CPU time`,
      ours: ours ? fmtMs(ours.time) : 'n/a',
      nodemailer: fmtMs(nm.time),
      reference: `${fmtMs(floor.time)} (base64 floor)`,
      vsNodemailer: ours ? ratio(ours.time, nm.time) : NaN,
      vsReference: tRatio,
      target: '<= 3x floor',
      pass: ours ? tRatio <= 3 : false,
    })
    const mRatio = ours ? ratio(ours.mem.increase, ours.outputSize) : NaN
    rows.push({
      figure: `${label} attachment, peak RSS increase`,
      ours: ours ? fmtBytes(ours.mem.increase) : 'n/a',
      nodemailer: fmtBytes(nm.mem.increase),
      reference: `${fmtBytes(ours?.outputSize ?? nm.outputSize)} (output size)`,
      vsNodemailer: ours ? ratio(ours.mem.increase, nm.mem.increase) : NaN,
      vsReference: mRatio,
      target: '< 2x output size',
      pass: ours ? mRatio < 2 : false,
    })
    notes.push(
      `${label} build, best run / first build in a fresh process (default malloc, CPU ms): ours ` +
        `${ours ? `${fmtMs(ours.best)} / ${fmtMs(ours.cold)}` : 'n/a'}, Nodemailer ` +
        `${fmtMs(nm.best)} / ${fmtMs(nm.cold)}, floor ${fmtMs(floor.best)} / ${fmtMs(floor.cold)}; ` +
        `median by wall clock: ours ${ours ? fmtMs(ours.wall) : 'n/a'}, Nodemailer ${fmtMs(nm.wall)}, ` +
        `floor ${fmtMs(floor.wall)}.`,
    )
    notes.push(
      `${label}: Nodemailer takes ${ratio(nm.time, floor.time).toFixed(1)}x the floor's time and ` +
        `${ratio(nm.mem.increase, nm.outputSize).toFixed(1)}x its output size (${fmtBytes(nm.outputSize)}) ` +
        `in RSS; the floor's own RSS increase is ${fmtBytes(floor.mem.increase)}.`,
    )
  }
  notes.push(
    'Attachment figures: each side in fresh processes. Peak RSS: one build in a fresh process, ' +
      'max of a 1 ms `process.memoryUsage().rss` sampler (worker thread) and the kernel ' +
      'high-water mark (VmHWM, reset after gc), minus the RSS after gc. Time: process CPU time ' +
      '(user + system), in each of 3 fresh processes per side (the sides taking turns), the median of 9 builds (10 MiB) or of 15 batches of 8 builds (1 MiB), after 2 s of warm-up builds, each after a gc and a 20 ms pause (so that the collector finishes its sweeping in helper threads before the clock starts); the figure is the median of the 3 processes. These processes run ' +
      'with fixed malloc thresholds (MALLOC_MMAP_THRESHOLD_/MALLOC_TRIM_THRESHOLD_): ' +
      "with glibc's dynamic ones, the floor's single big string reuses freed pages while a " +
      'chunked builder faults in fresh ones on every build (~100 ms per 10 MiB message here), ' +
      'which measures the allocator, not the code. CPU, not wall time: wall time here swings several-fold.',
  )
  return { title: 'MIME build (issue 3)', rows, notes }
}
