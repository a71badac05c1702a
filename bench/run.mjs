// Runs the benchmarks side by side with Nodemailer and writes results.md.
// `node --expose-gc run.mjs` runs every area; `node --expose-gc run.mjs mime smtp` runs some.
// Each area runs in its own process (fixed malloc thresholds, see src/measure.mjs), so one
// area's heap and allocator state never colour the next one's figures.
import { fork } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { cpus } from 'node:os'
import { fileURLToPath } from 'node:url'
import { fixedMallocEnv } from './src/measure.mjs'
import { renderSection } from './src/report.mjs'

const areas = ['mime', 'smtp', 'send', 'dkim', 'large', 'queue']

/** In the area process: run it and hand the section back. */
async function runArea(area) {
  const t0 = Date.now()
  const mod = await import(`./src/${area}.mjs`)
  const section = await mod.run()
  section.notes.push(`Section time: ${((Date.now() - t0) / 1000).toFixed(1)} s.`)
  return section
}

if (process.env.MAIL_BENCH_AREA) {
  let message
  try {
    message = { section: await runArea(process.env.MAIL_BENCH_AREA) }
  } catch (error) {
    message = { error: String(error?.stack ?? error) }
  }
  await new Promise((resolve) => process.send(message, resolve))
  // exit even if a hung client left a handle open (every process the area started is stopped)
  process.exit(0)
}

const asked = process.argv.slice(2)
const unknown = asked.filter((a) => !areas.includes(a))
if (unknown.length > 0) {
  console.error(`unknown area: ${unknown.join(', ')} (choose from ${areas.join(', ')})`)
  process.exit(2)
}
const selected = asked.length > 0 ? areas.filter((a) => asked.includes(a)) : areas

const inChild = (area) =>
  new Promise((resolve) => {
    const child = fork(fileURLToPath(import.meta.url), [], {
      execArgv: ['--expose-gc'],
      env: { ...fixedMallocEnv(), MAIL_BENCH_AREA: area },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    })
    let reply
    const timer = setTimeout(() => child.kill('SIGKILL'), 10 * 60_000)
    child.on('message', (m) => {
      reply = m
    })
    child.on('exit', (code, signal) => {
      clearTimeout(timer)
      resolve(reply ?? { error: `the ${area} process exited (${signal ?? code}) without a result` })
    })
  })

const started = Date.now()
const sections = []
let failures = 0
for (const area of selected) {
  console.error(`bench: ${area} ...`)
  const reply = await inChild(area)
  if (reply.section) sections.push(reply.section)
  else {
    failures++
    sections.push({
      title: `${area} (did not complete)`,
      rows: [],
      notes: [`Error: ${reply.error}`],
    })
  }
  console.log(renderSection(sections.at(-1)))
}

const nodemailerVersion = (await import('nodemailer/package.json', { with: { type: 'json' } }))
  .default.version
const header =
  `# Benchmark results\n\n` +
  `Run ${new Date().toISOString()} on Node ${process.version}, ${cpus().length} cores ` +
  `(${cpus()[0]?.model ?? 'unknown CPU'}), Nodemailer ${nodemailerVersion}; ` +
  `areas: ${selected.join(', ')}; total ${((Date.now() - started) / 1000).toFixed(0)} s.\n\n` +
  'Ratios are ours ÷ the other figure: above 1 is better for messages/s, below 1 is better for ' +
  'time and memory. The machine is shared with other processes, so figures are noisy (each is ' +
  'a median of several runs); see README.md for what each figure means.\n\n'
// Only a full run replaces results.md (the committed record); a run of some areas just prints.
if (selected.length === areas.length) {
  writeFileSync(
    new URL('./results.md', import.meta.url),
    header + sections.map(renderSection).join('\n'),
  )
  console.error(`bench: wrote results.md in ${((Date.now() - started) / 1000).toFixed(0)} s`)
} else
  console.error(
    `bench: done in ${((Date.now() - started) / 1000).toFixed(0)} s (results.md is written by full runs only)`,
  )
process.exitCode = failures > 0 ? 1 : 0
