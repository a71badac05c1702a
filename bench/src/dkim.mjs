// Issue 7: DKIM signing, rsa-sha256 with a 2048-bit key, relaxed/relaxed on both sides.
// Signatures/s for a small message and the time for a 10 MiB message, ours (`signDkim`) vs
// Nodemailer's DKIM signer (a stream, collected).
import { generateKeyPairSync } from 'node:crypto'
import DKIM from 'nodemailer/lib/dkim'
import { largeRaw, smallRaw } from './fixtures.mjs'
import { fmtMs, fmtRate, interleaved, MiB, rateSide, timeSide } from './measure.mjs'
import { loadOurs } from './ours.mjs'
import { ratio } from './report.mjs'

const domain = 'example.com'
const selector = 'bench'

const collect = (stream) =>
  new Promise((resolve, reject) => {
    const chunks = []
    stream.on('data', (c) => chunks.push(c))
    stream.once('error', reject)
    stream.once('end', () => resolve(Buffer.concat(chunks)))
  })

export async function run() {
  const rows = []
  const notes = []
  const { privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  })
  const small = smallRaw(1)
  const large = largeRaw(10 * MiB)

  const nmSigner = new DKIM({ domainName: domain, keySelector: selector, privateKey })
  const nmSign = (raw) => collect(nmSigner.sign(raw))
  const { mod, reason } = await loadOurs('@mail/mime/dkim', ['signDkim'])
  const ourSign = mod ? (raw) => mod.signDkim(raw, { domain, selector, privateKey }) : null
  if (!mod) notes.push(`Our side not measured: ${reason}.`)

  // both sides must really sign, or the comparison means nothing
  if (!String(await nmSign(small)).startsWith('DKIM-Signature:')) {
    throw new Error('Nodemailer output has no DKIM-Signature')
  }
  let oursOk = Boolean(ourSign)
  if (ourSign) {
    try {
      const out = await ourSign(small)
      if (!/^DKIM-Signature:/i.test(out)) throw new Error('no DKIM-Signature header at the top')
    } catch (error) {
      oursOk = false
      notes.push(`Our signDkim failed: ${String(error?.message ?? error).split('\n')[0]}`)
    }
  }

  const rates = await interleaved({
    nodemailer: rateSide(() => nmSign(small), { clock: 'cpu' }),
    ours: oursOk ? rateSide(() => ourSign(small), { clock: 'cpu' }) : null,
  })
  const nmRate = rates.nodemailer
  if (nmRate.error) throw nmRate.error
  const ourRate = rates.ours && !rates.ours.error ? rates.ours : null
  if (rates.ours?.error) notes.push(`Our signDkim failed: ${rates.ours.error.message}`)
  rows.push({
    figure: `small message (${small.length} bytes), signatures per CPU second`,
    ours: ourRate ? fmtRate(ourRate.value) : 'n/a',
    nodemailer: fmtRate(nmRate.value),
    vsNodemailer: ourRate ? ratio(ourRate.value, nmRate.value) : NaN,
    target: 'report only (issue 7 sets none)',
  })

  const times = await interleaved({
    nodemailer: timeSide(() => nmSign(large), { clock: 'cpu', warmupMs: 1500 }),
    ours: oursOk ? timeSide(() => ourSign(large), { clock: 'cpu', warmupMs: 1500 }) : null,
  })
  const nmLarge = times.nodemailer
  if (nmLarge.error) throw nmLarge.error
  const ourLarge = times.ours && !times.ours.error ? times.ours : null
  rows.push({
    figure: '10 MiB message, CPU time to sign',
    ours: ourLarge ? fmtMs(ourLarge.value) : 'n/a',
    nodemailer: fmtMs(nmLarge.value),
    vsNodemailer: ourLarge ? ratio(ourLarge.value, nmLarge.value) : NaN,
    target: 'report only (issue 7 sets none)',
  })
  notes.push(
    'rsa-sha256, 2048-bit key generated per run (PKCS#8 PEM), relaxed/relaxed, default signed ' +
      'headers on each side. Ours: `await signDkim(raw, { domain, selector, privateKey })` (string ' +
      'in, string out). Nodemailer: `new DKIM({ domainName, keySelector, privateKey }).sign(raw)`, ' +
      'its output stream collected into a Buffer. Figures use process CPU time (user + system, ' +
      'every thread, so the WebCrypto thread pool counts), steadier than wall time on this shared ' +
      'machine. Signatures/s: median of 3 one-second runs after a warm-up that lasts until the rate stops climbing, calls awaited one after the other; ' +
      "10 MiB: median of 3 after 1.5 s of warm-up; the two sides' runs interleaved. By wall clock: " +
      `small ours ${ourRate ? fmtRate(ourRate.wall) : 'n/a'}, Nodemailer ${fmtRate(nmRate.wall)}; ` +
      `10 MiB ours ${ourLarge ? fmtMs(ourLarge.wall) : 'n/a'}, Nodemailer ${fmtMs(nmLarge.wall)}.`,
  )
  return { title: 'DKIM signing (issue 7)', rows, notes }
}
