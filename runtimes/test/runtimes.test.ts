// The cross-runtime suite (issue 8): the packed @mail/mime, @mail/smtp and @mail/send run the same
// scenario on Node, Bun and Deno, and a Worker in workerd (Miniflare); everything they build,
// sign and send is checked here under Node with independent parsers and verifiers.
import { domainToASCII } from 'node:url'
import {
  type AiosmtpdServer,
  type PythonParser,
  pythonParser,
  type ReceivedMessage,
  startAiosmtpd,
} from '@mail/testkit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bundleWorker, prepareProject, RUNTIMES, runScenario, runWorker } from '../run.mjs'
import {
  binaryBytes,
  FIXED_DATE,
  messageInputs,
  plainSendInput,
  pngBytes,
} from '../scenario/messages.mjs'
import { type DkimFixture, makeDkimFixture, verifyDkim } from './dkim.js'
import { byMessageId, onWire, type ScenarioResult, type SendInfo, step } from './scenario-result.js'

interface RuntimeRun {
  result: ScenarioResult
  plain: ReceivedMessage[]
  tls: ReceivedMessage[]
  implicit: ReceivedMessage[]
}

let project: ReturnType<typeof prepareProject>
let dkim: DkimFixture
let parser: PythonParser
/** Node's run: the reference every other runtime's deterministic output must equal. */
let nodeRun: RuntimeRun

/** Starts fresh servers (plaintext, and STARTTLS required), runs the scenario, stops them. */
async function runOn(runtime: string): Promise<RuntimeRun> {
  const servers: AiosmtpdServer[] = []
  try {
    const plain = await startAiosmtpd()
    servers.push(plain)
    const tls = await startAiosmtpd({ security: 'starttls', requireStarttls: true })
    servers.push(tls)
    const implicit = await startAiosmtpd({ security: 'implicit' })
    servers.push(implicit)
    const config = {
      plainPort: plain.port,
      tlsPort: tls.port,
      implicitPort: implicit.port,
      ca: tls.ca,
      implicitCa: implicit.ca,
      keys: dkim.keys,
    }
    const { result } = await runScenario(runtime, project.dir, config)
    // Every send in the scenario awaited its 250, and aiosmtpd records a message before replying.
    return {
      result,
      plain: await plain.received(),
      tls: await tls.received(),
      implicit: await implicit.received(),
    }
  } finally {
    await Promise.all(servers.map((s) => s.stop()))
  }
}

beforeAll(async () => {
  dkim = makeDkimFixture()
  project = prepareProject()
  parser = await pythonParser()
  nodeRun = await runOn('node')
})

afterAll(async () => {
  await parser?.close()
  project?.cleanup()
})

const unix = (s: string | undefined) => s?.replace(/\r\n/g, '\n')
const inputs = messageInputs()

describe.each(RUNTIMES)('on %s, the packed packages', (runtime) => {
  let run: RuntimeRun
  beforeAll(async () => {
    run = runtime === 'node' ? nodeRun : await runOn(runtime)
  })

  it('run on that runtime itself, as the scenario reports', () => {
    expect(run.result.runtime).toMatch(new RegExp(`^${runtime} \\d+\\.\\d+\\.\\d+$`))
  })

  if (runtime !== 'node') {
    it('build every representative message byte for byte as Node does', () => {
      const built = step(run.result, 'built')
      const reference = step(nodeRun.result, 'built')
      expect(Object.keys(built)).toEqual(Object.keys(inputs))
      for (const name of Object.keys(inputs)) {
        expect(built[name]?.raw, name).toBe(reference[name]?.raw)
        expect(built[name], name).toEqual(reference[name])
      }
    })
  }

  it('build messages that Python reads without defects and with the input content', async () => {
    const built = step(run.result, 'built')
    for (const [name, message] of Object.entries(built)) {
      const parsed = await parser.parse(message.raw)
      expect(parsed.defects, name).toEqual([])
      // Python reads raw UTF-8 header bytes (RFC 6532) as undecodable, so only ASCII headers
      // are held to having no header defects.
      if (!message.smtputf8) expect(parsed.headerDefects, name).toEqual([])
      expect(parsed.date, name).toBe(FIXED_DATE.toISOString())
      expect(parsed.messageId, name).toBe(message.messageId)
      expect(parsed.subject, name).toBe(inputs[name as keyof typeof inputs].subject)
      expect(unix(parsed.text), name).toBe(inputs[name as keyof typeof inputs].text)
    }
    const textHtml = await parser.parse(built['text-html']!.raw)
    expect(unix(textHtml.html)).toBe(inputs['text-html'].html)
    expect(textHtml.to.map((a) => a.address)).toEqual(['bob@example.org', 'carol@example.net'])
    expect(textHtml.headers.some(([name]) => name.toLowerCase() === 'bcc')).toBe(false)

    const withFiles = await parser.parse(built.attachments!.raw)
    expect(withFiles.attachments.map((a) => [a.filename, a.contentType])).toEqual([
      ['data.bin', 'application/octet-stream'],
      ['report.pdf', 'application/pdf'],
      ['résumé ñ.txt', 'text/plain'],
      [undefined, 'application/x-custom'],
    ])
    expect(withFiles.attachments.map((a) => a.content)).toEqual([
      Buffer.from(binaryBytes()),
      Buffer.from([0x25, 0x50, 0x44, 0x46, 0, 1, 2, 255]),
      Buffer.from('Ünïcödé text attachment\n'),
      Buffer.from([0xde, 0xad, 0xbe, 0xef]),
    ])

    const inline = await parser.parse(built['inline-image']!.raw)
    expect(unix(inline.html)).toBe(inputs['inline-image'].html)
    const [logo, terms] = inline.attachments
    expect(logo).toMatchObject({
      cid: 'logo@example.com',
      contentType: 'image/png',
      disposition: 'inline',
    })
    expect(logo?.content).toEqual(Buffer.from(pngBytes()))
    expect(terms).toMatchObject({ filename: 'terms.txt', disposition: 'attachment' })

    const unicode = await parser.parse(built['unicode-headers']!.raw)
    expect(unicode.from).toEqual([{ name: 'Jürgen Müller', address: 'juergen@example.com' }])
    expect(unicode.to).toEqual([
      { name: '山田 太郎', address: `taro@${domainToASCII('例え.jp')}` },
      { name: 'Zoë', address: 'zoe@example.org' },
    ])
    expect(unicode.headers).toContainEqual(['X-Unicode', 'Ünïcödé value'])
  })

  it('compute envelopes and SMTPUTF8 needs as specified, with getEnvelope agreeing', () => {
    const built = step(run.result, 'built')
    for (const message of Object.values(built))
      expect(message.getEnvelope).toEqual(message.envelope)
    expect(built['text-html']!.envelope).toEqual({
      from: 'alice@example.com',
      to: ['bob@example.org', 'carol@example.net', 'jane@example.com', 'hidden@example.org'],
    })
    expect(built['unicode-headers']!.envelope.to[0]).toBe(`taro@${domainToASCII('例え.jp')}`)
    expect(built['unicode-headers']).toMatchObject({ smtputf8: false, eightBit: false })
    expect(built.smtputf8).toMatchObject({
      envelope: { from: 'josé@exämple.com', to: ['用户@例子.广告'] },
      smtputf8: true,
      eightBit: true,
    })
  })

  it('throw a MimeError naming the field for a header injection attempt', () => {
    expect(step(run.result, 'mimeError')).toMatchObject({ isMimeError: true, field: 'subject' })
  })

  it('sign with DKIM (RSA PKCS#8, RSA PKCS#1, Ed25519) so that python3-dkim verifies', async () => {
    const signed = step(run.result, 'dkim')
    const messages = [signed.rsa, signed.rsaPkcs1, signed.ed25519]
    for (const message of messages) {
      expect(message.startsWith('DKIM-Signature:')).toBe(true)
      expect(message.endsWith(signed.unsigned)).toBe(true)
    }
    expect(signed.rsa).toMatch(/\ba=rsa-sha256;/)
    expect(signed.rsaPkcs1).toMatch(/\bc=simple\/simple;/)
    expect(signed.ed25519).toMatch(/\ba=ed25519-sha256;/)
    // A tampered copy must fail: proves the verifier really checks the signature.
    const tampered = signed.ed25519.replace('Hello Bob,', 'Hello Eve,')
    const verdicts = await verifyDkim(dkim.records, [...messages, tampered])
    expect(verdicts.slice(0, 3)).toEqual([
      { ok: true, count: 1, error: null },
      { ok: true, count: 1, error: null },
      { ok: true, count: 1, error: null },
    ])
    expect(verdicts[3]).toMatchObject({ ok: false, count: 1, error: /body hash mismatch/ })
  })

  it('stream a message with Blob attachments as built, and sign it in two passes alike', async () => {
    const streamed = step(run.result, 'streamed')
    const reference = step(nodeRun.result, 'built').attachments!
    expect(streamed.raw).toBe(reference.raw)
    expect(streamed.size).toBe(Buffer.byteLength(reference.raw))
    expect(streamed.signedStream).toBe(streamed.signedString)
    const [verdict] = await verifyDkim(dkim.records, [streamed.signedStream])
    expect(verdict).toEqual({ ok: true, count: 1, error: null })
  })

  it('deliver with sendmail over plaintext SMTP exactly the built bytes and envelope', () => {
    const { info, expectedRaw, expectedEnvelope } = step(run.result, 'plainSend')
    const to = ['one@example.org', 'two@example.org', 'three@example.net', 'four@example.net']
    expect(expectedEnvelope).toEqual({ from: 'sender@example.com', to })
    expect(info).toMatchObject({
      messageId: plainSendInput().messageId,
      envelope: expectedEnvelope,
      accepted: to,
      rejected: [],
    })
    expect(expectedRaw).toBe(step(nodeRun.result, 'plainSend').expectedRaw)
    expect(run.plain).toHaveLength(1)
    const [received] = run.plain
    expect(received?.mailFrom).toBe('sender@example.com')
    expect(received?.rcptTos).toEqual(to)
    expect(received?.data.equals(onWire(expectedRaw))).toBe(true)
  })

  it('deliver over STARTTLS, verified against the kit CA, the exact deterministic bytes', () => {
    const tlsSend = step(run.result, 'tlsSend')
    const reference = step(nodeRun.result, 'built')
    expect(tlsSend.secure).toBe(true)
    expect(tlsSend.sends.map((s) => s.name)).toEqual(['inline-image', 'smtputf8'])
    for (const sent of tlsSend.sends) {
      expect(sent.raw, sent.name).toBe(reference[sent.name]?.raw)
      const received = byMessageId(run.tls, reference[sent.name]!.messageId)
      expect(received.data.equals(onWire(sent.raw)), sent.name).toBe(true)
      expect(received.mailFrom).toBe(sent.envelope.from)
      expect(received.rcptTos).toEqual(sent.envelope.to)
      expect(sent.result.accepted).toEqual(sent.envelope.to)
    }
    const utf8 = byMessageId(run.tls, reference.smtputf8!.messageId)
    expect(utf8.mailOptions).toContain('SMTPUTF8')
  })

  it('deliver over implicit TLS (as on port 465) the exact deterministic bytes', () => {
    const implicit = step(run.result, 'implicitSend')
    const reference = step(nodeRun.result, 'built').attachments!
    expect(implicit.secure).toBe(true)
    expect(implicit.raw).toBe(reference.raw)
    expect(implicit.result.accepted).toEqual(reference.envelope.to)
    expect(run.implicit).toHaveLength(1)
    expect(run.implicit[0]?.data.equals(onWire(reference.raw))).toBe(true)
    expect(run.implicit[0]?.rcptTos).toEqual(reference.envelope.to)
  })

  it('refuse the STARTTLS server certificate when its CA is not given', () => {
    const untrusted = step(run.result, 'tlsUntrusted')
    expect(untrusted).toMatchObject({ refused: true, error: { name: 'SmtpError' } })
    expect(['tls', 'starttls']).toContain(untrusted.error?.stage)
    expect(untrusted.error?.message).toMatch(/certificate|self.signed|issuer|verify/i)
  })

  it('sign on the way out with a DKIM transport, and the delivered message verifies', async () => {
    const { info } = step(run.result, 'dkimSend')
    expect(info.messageId).toBe('<dkim-send.1@example.com>')
    const received = byMessageId(run.tls, info.messageId)
    expect(received.rcptTos).toEqual(['archive@example.org'])
    expect(received.data.toString('utf8').startsWith('DKIM-Signature:')).toBe(true)
    const [verdict] = await verifyDkim(dkim.records, [received.data])
    expect(verdict).toEqual({ ok: true, count: 1, error: null })
    const parsed = await parser.parse(received.data)
    expect(parsed.defects).toEqual([])
    expect(parsed.attachments[0]?.content).toEqual(Buffer.from(binaryBytes()))
  })
})

/** The Worker's JSON answer (../worker/worker.mjs). */
interface WorkerAnswer {
  ok: boolean
  raw: string
  signed: string
  streamedRaw: string
  streamedSize: number | null
  signedStream: string
  signedString: string
  results: { accepted: string[]; secure: boolean }[]
  info: SendInfo
  error?: { name?: string; message: string; stack: string }
}

describe('in a Cloudflare Worker (workerd via Miniflare)', () => {
  let bundle: Awaited<ReturnType<typeof bundleWorker>>
  let answer: { status: number; body: WorkerAnswer }
  let received: ReceivedMessage[]

  beforeAll(async () => {
    bundle = await bundleWorker(project.dir)
    const server = await startAiosmtpd()
    try {
      answer = (await runWorker(bundle.script, {
        port: server.port,
        bindings: { DKIM_KEY: dkim.keys.ed25519 },
      })) as typeof answer
      received = await server.received()
    } finally {
      await server.stop()
    }
  })

  it('is bundled from the installed tarballs, with no alias, and pulls in no Node built-in', () => {
    const fromPackages = bundle.inputs.filter((f) => f.includes('node_modules/@mail/'))
    for (const pkg of ['mime', 'smtp', 'send']) {
      expect(fromPackages.some((f) => f.startsWith(`node_modules/@mail/${pkg}/dist/`))).toBe(true)
    }
    expect(fromPackages.filter((f) => !/^node_modules\/@mail\/[a-z]+\/dist\//.test(f))).toEqual([])
    expect(bundle.inputs.filter((f) => f.startsWith('node:'))).toEqual([])
    // The export conditions chose the builds without Node built-ins: the Workers build of
    // @mail/mime (mime-types inside) and @mail/smtp's stand-in for its Node sockets.
    expect(fromPackages.some((f) => f.startsWith('node_modules/@mail/mime/dist/web/'))).toBe(true)
    expect(fromPackages).toContain('node_modules/@mail/smtp/dist/socket/unavailable.js')
    expect(fromPackages).not.toContain('node_modules/@mail/smtp/dist/socket/node.js')
    expect(bundle.inputs.some((f) => f.includes('node_modules/mime-types/'))).toBe(false)
    // Nothing is left for the runtime to resolve but cloudflare:sockets.
    expect(bundle.external).toEqual(['cloudflare:sockets'])
    expect(bundle.script).not.toMatch(/\b(?:import|require)\s*\(\s*["']node:/)
    expect(bundle.script).toContain('cloudflare:sockets')
  })

  it('builds the message as Node does and the server receives its exact bytes', () => {
    expect(answer.body).toMatchObject({ ok: true })
    expect(answer.status).toBe(200)
    const reference = step(nodeRun.result, 'built')['inline-image']!
    expect(answer.body.raw).toBe(reference.raw)
    expect(received).toHaveLength(3)
    const [plain, signed] = received
    expect(plain?.data.equals(onWire(reference.raw))).toBe(true)
    expect(plain?.mailFrom).toBe(reference.envelope.from)
    expect(plain?.rcptTos).toEqual(reference.envelope.to)
    expect(signed?.data.equals(onWire(answer.body.signed))).toBe(true)
    expect(answer.body.results).toEqual([
      expect.objectContaining({ accepted: reference.envelope.to, secure: false }),
      expect.objectContaining({ accepted: reference.envelope.to, secure: false }),
    ])
  })

  it('delivers with @mail/send (sendmail, smtp:// URL) exactly the bytes Node builds', () => {
    const { expectedRaw, expectedEnvelope } = step(nodeRun.result, 'plainSend')
    expect(answer.body.info).toMatchObject({
      messageId: plainSendInput().messageId,
      envelope: expectedEnvelope,
      accepted: expectedEnvelope.to,
      rejected: [],
    })
    const viaSend = byMessageId(received, plainSendInput().messageId)
    expect(viaSend.data.equals(onWire(expectedRaw))).toBe(true)
    expect(viaSend.mailFrom).toBe(expectedEnvelope.from)
    expect(viaSend.rcptTos).toEqual(expectedEnvelope.to)
  })

  it('signs with DKIM (Ed25519 over crypto.subtle) so that python3-dkim verifies', async () => {
    const [, signed] = received
    expect(signed).toBeDefined()
    const [verdict] = await verifyDkim(dkim.records, [signed!.data])
    expect(verdict).toEqual({ ok: true, count: 1, error: null })
  })

  it('streams the message (image from a ReadableStream) with the same bytes, and signs a streamed copy', async () => {
    const reference = step(nodeRun.result, 'built')['inline-image']!
    expect(answer.body.streamedRaw).toBe(reference.raw)
    // A stream source has no size known in advance.
    expect(answer.body.streamedSize).toBeNull()
    expect(answer.body.signedStream).toBe(answer.body.signedString)
    const [verdict] = await verifyDkim(dkim.records, [answer.body.signedStream])
    expect(verdict).toEqual({ ok: true, count: 1, error: null })
  })
})
