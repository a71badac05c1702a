// One side of the large-attachment figures (large.mjs) in its own long-lived process:
// `node large-side.mjs <ours|nodemailer|floor> <file> <port> [chunking]`, then { cmd: 'once' }
// over IPC, answered with { value: ms } or { error }. Also the memory task for `runInChild`.
import { createReadStream, openAsBlob } from 'node:fs'
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import { trackPeakRss } from './measure.mjs'
import { loadOurs } from './ours.mjs'

const message = { from: 'alice@example.com', to: 'bob@example.org', subject: 'The file' }
const text = 'Attached.'

/** Ours: the file as a Blob, built and streamed with backpressure. */
async function ours(file, port) {
  const { mod, reason } = await loadOurs('@mail/send', ['createTransport'])
  if (!mod) throw new Error(reason)
  const t = mod.createTransport({ host: '127.0.0.1', port, security: 'none' })
  const info = await t.send({
    ...message,
    text,
    attachments: [{ filename: 'big.bin', content: await openAsBlob(file) }],
  })
  await t.close()
  return info
}

/**
 * Nodemailer: the same file as its most common way to attach one, `path:`. Loaded here, not at
 * the top: another library's modules in our process change the collector's pacing (a 256 MiB
 * send of ours ran 2-3x slower with Nodemailer loaded beside it), so each side loads only its own.
 */
async function theirs(file, port) {
  const { default: nodemailer } = await import('nodemailer')
  const t = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true })
  const info = await t.sendMail({
    ...message,
    text,
    attachments: [{ filename: 'big.bin', path: file }],
  })
  t.close()
  return info
}

/**
 * The floor: read the file and base64-encode it, the least work any sender must do (no MIME,
 * no SMTP). Chunks are encoded as they come, a remainder carried so every quantum is whole.
 */
async function floor(file) {
  let carry = Buffer.alloc(0)
  let out = 0
  for await (const chunk of createReadStream(file)) {
    const data = carry.length === 0 ? chunk : Buffer.concat([carry, chunk])
    const whole = data.length - (data.length % 3)
    out += data.toString('base64', 0, whole).length
    carry = data.subarray(whole)
  }
  return out + carry.toString('base64').length
}

/** The same floor reading the file as a Blob (`blob.stream()`), as our side must: for context. */
async function blobFloor(file) {
  let carry = Buffer.alloc(0)
  let out = 0
  for await (const c of (await openAsBlob(file)).stream()) {
    const chunk = Buffer.from(c.buffer, c.byteOffset, c.byteLength)
    const data = carry.length === 0 ? chunk : Buffer.concat([carry, chunk])
    const whole = data.length - (data.length % 3)
    out += data.toString('base64', 0, whole).length
    carry = data.subarray(whole)
  }
  return out + carry.toString('base64').length
}

const sides = { ours, nodemailer: theirs, floor, 'blob floor': blobFloor }

/** Fresh-process task: the peak RSS growth of one send (or of the floor). */
export async function memoryTask({ side, file, port }) {
  const tracker = await trackPeakRss()
  const start = performance.now()
  await sides[side](file, port)
  const ms = performance.now() - start
  return { ms, ...(await tracker.stop()) }
}

async function main() {
  const [side, file, portText] = process.argv.slice(2)
  const run = sides[side]
  process.on('message', async () => {
    try {
      const start = performance.now()
      await run(file, Number(portText))
      process.send({ value: performance.now() - start })
    } catch (error) {
      process.send({ error: String(error?.stack ?? error) })
    }
  })
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main()
