// Runs the benchmarks side by side with Nodemailer and writes results.md.
// `node --expose-gc run.mjs` runs every area; `node --expose-gc run.mjs mime smtp` runs some.
import { writeFileSync } from 'node:fs'
import { cpus } from 'node:os'
import { renderSection } from './src/report.mjs'

const areas = ['mime', 'smtp', 'send', 'dkim']
const asked = process.argv.slice(2)
const unknown = asked.filter((a) => !areas.includes(a))
if (unknown.length > 0) {
  console.error(`unknown area: ${unknown.join(', ')} (choose from ${areas.join(', ')})`)
  process.exit(2)
}
const selected = asked.length > 0 ? areas.filter((a) => asked.includes(a)) : areas
if (typeof globalThis.gc !== 'function') {
  console.warn('note: run with `node --expose-gc run.mjs` for steadier memory figures')
}

const started = Date.now()
const sections = []
let failures = 0
for (const area of selected) {
  const t0 = Date.now()
  console.error(`bench: ${area} ...`)
  try {
    const mod = await import(`./src/${area}.mjs`)
    const section = await mod.run()
    section.notes.push(`Section time: ${((Date.now() - t0) / 1000).toFixed(1)} s.`)
    sections.push(section)
  } catch (error) {
    failures++
    sections.push({
      title: `${area} (did not complete)`,
      rows: [],
      notes: [`Error: ${String(error?.stack ?? error)}`],
    })
  }
  const text = renderSection(sections.at(-1))
  console.log(text)
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
writeFileSync(
  new URL('./results.md', import.meta.url),
  header + sections.map(renderSection).join('\n'),
)
console.error(`bench: wrote results.md in ${((Date.now() - started) / 1000).toFixed(0)} s`)
// exit even if a hung client left a handle open (every process this run started is already stopped)
process.exit(failures > 0 ? 1 : 0)
