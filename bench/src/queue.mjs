// Issue 15: @mail/queue across worker processes, against the testkit sink and a private
// redis-server. Scale (a slow server: one worker vs three, one worker vs transport.sendMany on
// the same pool), the shared rate limit over three workers (the server's arrival log), and the
// fault run (5,000 messages, 550/451/hang-ups, one worker killed with SIGKILL and replaced).
import { execFileSync, fork } from 'node:child_process'
import { availableParallelism, loadavg } from 'node:os'
import { fileURLToPath } from 'node:url'
import { smallMessage } from './fixtures.mjs'
import { fmtMs, fmtRate, runInChild } from './measure.mjs'
import { loadOurs } from './ours.mjs'
import { ratio } from './report.mjs'
import { loadTestkit } from './testkit.mjs'

/** The slow server answers each transaction this long after its data. */
const SLOW_MS = 20
const SCALE_COUNT = 1500
const LIMIT = { messages: 200, perMs: 1000 }
const LIMIT_COUNT = 1200
const FAULT_COUNT = 5000
const CONCURRENCY = 16
/** Every worker and sendMany use the pool as @mail/queue makes it by default. */
const POOL = true
/** The one address the fault server refuses (550 at RCPT). */
const BLOCKED = 'blocked@example.net'
const SEED = 15

let queueNumber = 0

/** Every worker process started, so that a run that fails midway leaves none behind. */
const liveWorkers = new Set()

/** Worker processes on one queue; `stop()` closes them cleanly, `kill(i)` is kill -9. */
async function startWorkers(count, options) {
  const children = []
  const spawnOne = () => {
    const child = fork(
      fileURLToPath(new URL('./queue-side.mjs', import.meta.url)),
      [JSON.stringify(options)],
      {
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      },
    )
    children.push(child)
    liveWorkers.add(child)
    child.once('exit', () => liveWorkers.delete(child))
    return new Promise((resolve, reject) => {
      child.once('message', (m) => (m?.ready ? resolve(child) : reject(new Error('no ready'))))
      child.once('exit', (code) => reject(new Error(`worker exited (${code}) before it was ready`)))
    })
  }
  await Promise.all(Array.from({ length: count }, spawnOne))
  return {
    children,
    spawnOne,
    kill(i) {
      children[i].kill('SIGKILL')
    },
    /** Closes every live worker; resolves the CPU ms they used, summed. */
    async stop() {
      const cpu = await Promise.all(
        children.map(
          (child) =>
            new Promise((resolve) => {
              if (child.exitCode !== null || child.signalCode !== null) return resolve(0)
              child.on('message', (m) => {
                if (m?.closed) resolve(m.cpuMs)
              })
              child.once('exit', () => resolve(0))
              child.send({ cmd: 'close' })
            }),
        ),
      )
      return cpu.reduce((a, b) => a + b, 0)
    },
  }
}

/** Enqueues `inputs` (100 at a time); resolves the job ids in order. */
async function enqueueAll(queue, inputs) {
  const ids = []
  for (let i = 0; i < inputs.length; i += 100) {
    const batch = inputs.slice(i, i + 100).map((m) => queue.enqueue(m))
    for (const { id } of await Promise.all(batch)) ids.push(id)
  }
  return ids
}

/**
 * Deliveries per second in the steady part of a run: the arrival times (MAIL) of the accepted
 * transactions between the 20th and the 90th percentile, so that the start of the worker
 * processes and the last stragglers do not count.
 */
function steadyRate(times) {
  const sorted = [...times].sort((a, b) => a - b)
  const from = Math.floor(sorted.length * 0.2)
  const to = Math.floor(sorted.length * 0.9)
  return ((to - from) / (sorted[to] - sorted[from])) * 1000
}

/** The most arrivals in any window of `ms` (sliding, both ends checked). */
function maxInWindow(times, ms) {
  const sorted = [...times].sort((a, b) => a - b)
  let best = 0
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while (sorted[i] - sorted[j] >= ms) j++
    best = Math.max(best, i - j + 1)
  }
  return best
}

/** A fresh queue on `redis` with `count` small messages on it; workers started after. */
async function queued(queueMod, redis, inputs) {
  const name = `bench-${++queueNumber}`
  const queue = queueMod.createQueue({ connection: redis.url, name })
  const ids = await enqueueAll(queue, inputs)
  return { name, queue, ids }
}

/** Redis's command count and CPU ms so far (INFO), through redis-cli. */
function redisStats(redis) {
  const info = execFileSync('redis-cli', ['-s', redis.socket, 'INFO', 'all'], { encoding: 'utf8' })
  const field = (name) =>
    Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(info)?.[1] ?? Number.NaN)
  return {
    calls: field('total_commands_processed'),
    cpuMs: (field('used_cpu_user') + field('used_cpu_sys')) * 1000,
  }
}

/** Per-job costs of a run: Redis commands and CPU ms of the workers, Redis and this process. */
function costs(before, after, workerCpuMs, selfCpu, jobs) {
  const self = process.cpuUsage(selfCpu)
  return {
    redisCalls: (after.calls - before.calls) / jobs,
    redisCpuMs: (after.cpuMs - before.cpuMs) / jobs,
    workerCpuMs: workerCpuMs / jobs,
    sinkCpuMs: (self.user + self.system) / 1000 / jobs,
  }
}

const fmtCost = (c) =>
  `${c.redisCalls.toFixed(1)} Redis commands, ${c.workerCpuMs.toFixed(2)} ms worker CPU, ${c.redisCpuMs.toFixed(2)} ms Redis CPU, ${c.sinkCpuMs.toFixed(2)} ms server CPU per message`

const accepted = (sink) => sink.transactions.filter((t) => t.outcome === 'accepted')

/** One scale run: `workers` processes deliver SCALE_COUNT messages to a slow sink. */
async function scaleRun(tk, queueMod, redis, workers) {
  const sink = await tk.startSmtpSink({ replyDelayMs: SLOW_MS })
  try {
    const inputs = Array.from({ length: SCALE_COUNT }, (_, i) => smallMessage(i))
    const { name, queue } = await queued(queueMod, redis, inputs)
    const transport = { host: '127.0.0.1', port: sink.port, security: 'none', pool: POOL }
    const before = redisStats(redis)
    const selfCpu = process.cpuUsage()
    const fleet = await startWorkers(workers, {
      connection: redis.url,
      name,
      transport,
      concurrency: CONCURRENCY,
    })
    await sink.until(() => sink.accepted.length >= SCALE_COUNT, 180_000)
    const workerCpuMs = await fleet.stop()
    const cost = costs(before, redisStats(redis), workerCpuMs, selfCpu, SCALE_COUNT)
    await queue.close()
    return { rate: steadyRate(accepted(sink).map((t) => t.at)), maxOpen: sink.maxOpen, cost }
  } finally {
    await sink.stop()
  }
}

async function sendManyRun(tk) {
  const sink = await tk.startSmtpSink({ replyDelayMs: SLOW_MS })
  try {
    const r = await runInChild('queue-side', 'sendManyTask', {
      port: sink.port,
      count: SCALE_COUNT,
      pool: POOL,
    })
    return {
      rate: steadyRate(accepted(sink).map((t) => t.at)),
      maxOpen: sink.maxOpen,
      failed: r.failed,
      cpuMsPerMessage: r.cpuMs / SCALE_COUNT,
    }
  } finally {
    await sink.stop()
  }
}

async function limitRun(tk, queueMod, redis) {
  const sink = await tk.startSmtpSink()
  try {
    const inputs = Array.from({ length: LIMIT_COUNT }, (_, i) => smallMessage(i))
    const { name, queue } = await queued(queueMod, redis, inputs)
    const fleet = await startWorkers(3, {
      connection: redis.url,
      name,
      transport: { host: '127.0.0.1', port: sink.port, security: 'none', pool: POOL },
      concurrency: CONCURRENCY,
      rateLimit: LIMIT,
    })
    await sink.until(() => sink.accepted.length >= LIMIT_COUNT, 120_000)
    await fleet.stop()
    await queue.close()
    const times = sink.transactions.map((t) => t.at).sort((a, b) => a - b)
    const tookMs = times.at(-1) - times[0]
    // The sliding window lets LIMIT.messages start at once, then each further block a window later.
    const minimumMs = (Math.ceil(LIMIT_COUNT / LIMIT.messages) - 1) * LIMIT.perMs
    return { maxWindow: maxInWindow(times, LIMIT.perMs), tookMs, minimumMs }
  } finally {
    await sink.stop()
  }
}

/** A number in [0, 1) from a string, the same for the same seed and string (FNV-1a, then mixed). */
function draw(text) {
  let h = 2166136261 ^ SEED
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619)
  h = Math.imul(h ^ (h >>> 15), 2246822507)
  h = Math.imul(h ^ (h >>> 13), 3266489909)
  return ((h ^ (h >>> 16)) >>> 0) / 2 ** 32
}

/** The fault run's messages: 1-3 recipients each, BLOCKED among them in every 50th. */
function faultInputs() {
  return Array.from({ length: FAULT_COUNT }, (_, i) => {
    const n = 1 + (i % 3)
    const to = Array.from({ length: n }, (_, k) => `r${i}-${k}@d${(i + k) % 7}.example.org`)
    if (i % 50 === 7) to[n - 1] = BLOCKED
    return { ...smallMessage(i), to }
  })
}

async function faultRun(tk, queueMod, redis) {
  const attempts = new Map()
  const sink = await tk.startSmtpSink({
    fault(step, ctx) {
      if (step === 'rcpt' && ctx.address === BLOCKED) return `550 5.1.1 <${BLOCKED}>: no such user`
      if (step !== 'end') return undefined
      const n = (attempts.get(ctx.messageId) ?? 0) + 1
      attempts.set(ctx.messageId, n)
      const r = draw(`${ctx.messageId}#${n}`)
      if (r < 0.03) return '451 4.3.0 try again later'
      if (r < 0.035) return 'hangup'
      return undefined
    },
  })
  let fleet
  try {
    const inputs = faultInputs()
    const { name, queue, ids } = await queued(queueMod, redis, inputs)
    const options = {
      connection: redis.url,
      name,
      transport: {
        host: '127.0.0.1',
        port: sink.port,
        security: 'none',
        pool: POOL,
        retry: { attempts: 6, backoffMs: 100 },
      },
      concurrency: CONCURRENCY,
      // A dead worker's jobs are taken up within seconds rather than the default minute.
      lockDurationMs: 5000,
      stalledIntervalMs: 2000,
    }
    const started = Date.now()
    fleet = await startWorkers(3, options)
    await sink.until(() => sink.accepted.length >= FAULT_COUNT * 0.4, 120_000)
    fleet.kill(0)
    await fleet.spawnOne()
    await queue.drained({ timeoutMs: 180_000 })
    const tookMs = Date.now() - started
    await fleet.stop()

    // What the server got, per message and recipient: accepted (a 2xx after the data) and taken
    // (the data arrived whole, then the server hung up: it may count as delivered).
    const got = new Map()
    for (const t of sink.transactions) {
      if (t.outcome !== 'accepted' && t.outcome !== 'taken') continue
      for (const address of t.to) {
        const key = `${t.messageId} ${address}`
        got.set(key, (got.get(key) ?? 0) + 1)
      }
    }
    const statuses = []
    for (let i = 0; i < ids.length; i += 200) {
      statuses.push(...(await Promise.all(ids.slice(i, i + 200).map((id) => queue.status(id)))))
    }
    await queue.close()
    const c = { pairs: 0, delivered: 0, rejected: 0, unknown: 0, unknownJobs: 0, wrongRejected: 0 }
    c.duplicated = 0
    c.missing = 0
    c.coRecipientsOk = 0
    c.coRecipients = 0
    c.coRecipientsUnknown = 0
    statuses.forEach((s, i) => {
      if (s?.state === 'unknown') c.unknownJobs++
      for (const address of inputs[i].to) {
        c.pairs++
        const r = s?.recipients.find((x) => x.address === address)
        const n = got.get(`${s?.messageId} ${address}`) ?? 0
        if (n > 1) c.duplicated++
        const blockedJob = inputs[i].to.includes(BLOCKED) && address !== BLOCKED
        if (blockedJob) c.coRecipients++
        if (r?.status === 'accepted' && n === 1) {
          c.delivered++
          if (blockedJob) c.coRecipientsOk++
        } else if (r?.status === 'rejected' && n === 0) {
          c.rejected++
          if (address !== BLOCKED) c.wrongRejected++
        } else if (r?.status === 'unknown' && n <= 1) {
          c.unknown++
          // Its transaction was cut after the data (a hang-up, the kill): unknown is its due.
          if (blockedJob) c.coRecipientsUnknown++
        } else c.missing++
      }
    })
    const hangups = sink.transactions.filter((t) => t.outcome === 'taken').length
    const refused451 = sink.replies.filter((r) => r.reply.startsWith('451')).length
    return { ...c, hangups, refused451, tookMs, transactions: sink.transactions.length }
  } finally {
    await fleet?.stop().catch(() => {})
    await sink.stop()
  }
}

export async function run() {
  const notes = []
  const rows = []
  const section = { title: 'Queue: @mail/queue worker processes on Redis (issue 15)', rows, notes }
  const { mod: queueMod, reason } = await loadOurs('@mail/queue', ['createQueue', 'createWorker'])
  if (!queueMod) {
    notes.push(reason)
    return section
  }
  const tk = await loadTestkit()
  const redis = await tk.startRedis()
  try {
    const one = await scaleRun(tk, queueMod, redis, 1)
    const three = await scaleRun(tk, queueMod, redis, 3)
    const many = await sendManyRun(tk)
    rows.push({
      figure: `Scale: 3 workers ÷ 1 worker, deliveries/s (server answers after ${SLOW_MS} ms)`,
      ours: fmtRate(three.rate),
      reference: fmtRate(one.rate),
      vsReference: ratio(three.rate, one.rate),
      target: '≥ 2.5x',
      pass: ratio(three.rate, one.rate) >= 2.5,
    })
    rows.push({
      figure: `Scale: 1 worker ÷ transport.sendMany, same pool and server, deliveries/s`,
      ours: fmtRate(one.rate),
      reference: fmtRate(many.rate),
      vsReference: ratio(one.rate, many.rate),
      target: '≥ 0.5x',
      pass: ratio(one.rate, many.rate) >= 0.5,
    })
    notes.push(
      `Scale: ${SCALE_COUNT.toLocaleString('en-US')} small messages queued first, then worker processes (concurrency ${CONCURRENCY}, pool: true) started; deliveries/s over the 20th-90th percentile of the server's accepted arrivals. Connections the server saw open at once: 1 worker ${one.maxOpen}, 3 workers ${three.maxOpen}, sendMany ${many.maxOpen}${many.failed ? `; sendMany failures ${many.failed}` : ''}. One connection carries at most ${Math.round(1000 / SLOW_MS)} transactions/s here (the server reads the next command after its reply), so ${one.maxOpen} connections cap a worker at ${Math.round((one.maxOpen * 1000) / SLOW_MS)}/s.`,
      `Where the time goes (1 worker): ${fmtCost(one.cost)}; (3 workers): ${fmtCost(three.cost)}; sendMany alone: ${many.cpuMsPerMessage.toFixed(2)} ms CPU per message (building included). The machine has ${availableParallelism()} cores shared with other work (load average ${loadavg()[0].toFixed(1)} at the end of the scale runs).`,
    )

    const limit = await limitRun(tk, queueMod, redis)
    rows.push({
      figure: `Shared limit ${LIMIT.messages}/${LIMIT.perMs} ms over 3 workers: most arrivals in any 1 s window`,
      ours: String(limit.maxWindow),
      reference: String(LIMIT.messages),
      vsReference: ratio(limit.maxWindow, LIMIT.messages),
      target: `≤ ${LIMIT.messages + 1}`,
      pass: limit.maxWindow <= LIMIT.messages + 1,
    })
    rows.push({
      figure: `Shared limit: ${LIMIT_COUNT.toLocaleString('en-US')} messages, time ÷ the minimum the limit allows`,
      ours: fmtMs(limit.tookMs),
      reference: fmtMs(limit.minimumMs),
      vsReference: ratio(limit.tookMs, limit.minimumMs),
      target: '≤ 1.2x',
      pass: ratio(limit.tookMs, limit.minimumMs) <= 1.2,
    })

    const f = await faultRun(tk, queueMod, redis)
    const unknownBound = CONCURRENCY + f.hangups
    rows.push({
      figure: `Fault run: pairs delivered exactly once, rejected (550 only) or unknown ÷ all pairs`,
      ours: `${f.delivered + f.rejected - f.wrongRejected + f.unknown}`,
      reference: `${f.pairs}`,
      vsReference: ratio(f.delivered + f.rejected - f.wrongRejected + f.unknown, f.pairs),
      target: '1x, none doubled',
      pass: f.missing === 0 && f.duplicated === 0 && f.wrongRejected === 0,
    })
    rows.push({
      figure: 'Fault run: unknown messages ÷ (concurrency × 1 kill + hang-ups after data)',
      ours: String(f.unknownJobs),
      reference: String(unknownBound),
      vsReference: ratio(f.unknownJobs, unknownBound),
      target: '≤ 1x',
      pass: f.unknownJobs <= unknownBound,
    })
    const coKnown = f.coRecipients - f.coRecipientsUnknown
    rows.push({
      figure: "Fault run: the 550 address's co-recipients delivered once ÷ those not unknown",
      ours: String(f.coRecipientsOk),
      reference: String(coKnown),
      vsReference: ratio(f.coRecipientsOk, coKnown),
      target: '1x',
      pass: f.coRecipientsOk === coKnown,
    })
    notes.push(
      `Fault run: 3 worker processes (concurrency ${CONCURRENCY}, lock 5 s, stall check every 2 s, retry 6 attempts from 100 ms), ${FAULT_COUNT.toLocaleString('en-US')} messages of 1-3 recipients, ${f.pairs.toLocaleString('en-US')} pairs; the server refused ${BLOCKED} with 550 at RCPT, answered 451 to ${f.refused451} transactions and hung up after the data of ${f.hangups} (seeded ${SEED}); one worker killed with SIGKILL after 40% and a new one started; ${f.transactions.toLocaleString('en-US')} transactions in ${fmtMs(f.tookMs)}. Pairs: ${f.delivered} delivered once, ${f.rejected} rejected (${f.wrongRejected} not the 550 address), ${f.unknown} unknown (${f.coRecipientsUnknown} of them co-recipients of the 550 address, cut by a hang-up or the kill), ${f.duplicated} delivered twice, ${f.missing} otherwise (missing or pending).`,
    )
  } finally {
    for (const child of liveWorkers) child.kill('SIGKILL')
    await redis.stop()
  }
  return section
}
