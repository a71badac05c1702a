// One side of the queue figures, in its own process as in production.
// `node queue-side.mjs '<json>'`: a @mail/queue worker with those options; it sends { ready }
// over IPC once it listens, and on { cmd: 'close' } finishes its jobs, sends { closed, cpuMs }
// (its CPU time) and exits.
// `sendManyTask` (through child.mjs): the same messages through `transport.sendMany` alone.
import { performance } from 'node:perf_hooks'
import { smallMessage } from './fixtures.mjs'

/** Child task: `count` small messages through one pooled transport's sendMany; resolves ms and CPU ms. */
export async function sendManyTask({ port, count, pool }) {
  const { createTransport } = await import('@mail/send')
  const transport = createTransport({ host: '127.0.0.1', port, security: 'none', pool })
  const messages = Array.from({ length: count }, (_, i) => smallMessage(i))
  const cpu = process.cpuUsage()
  const start = performance.now()
  let failed = 0
  for await (const r of transport.sendMany(messages)) if (r.error) failed++
  const ms = performance.now() - start
  const { user, system } = process.cpuUsage(cpu)
  await transport.close()
  return { ms, failed, cpuMs: (user + system) / 1000 }
}

if (process.send && process.argv[2]?.startsWith('{')) {
  const { createWorker } = await import('@mail/queue')
  const worker = createWorker(JSON.parse(process.argv[2]))
  await worker.ready()
  process.send({ ready: true })
  process.on('message', async (m) => {
    if (m?.cmd !== 'close') return
    await worker.close()
    // CPU time of the whole worker process (user + system, ms), for the cost of one job.
    const { user, system } = process.cpuUsage()
    process.send({ closed: true, cpuMs: (user + system) / 1000 }, () => process.exit(0))
  })
}
