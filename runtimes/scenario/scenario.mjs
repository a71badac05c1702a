// The cross-runtime scenario: the same file runs under Node (`node`), Bun (`bun run`) and Deno
// (`deno run -A`) inside a project where @mail/mime, @mail/smtp and @mail/send are installed from
// their packed tarballs. It imports nothing but those packages and ./messages.mjs, so any Node-only
// dependency of the packages shows up as a failure here rather than being masked by the script.
//
// Input: the MAIL_RUNTIMES_CONFIG environment variable, JSON
//   { plainPort, tlsPort, implicitPort, ca, implicitCa, keys: { rsa, rsaPkcs1, ed25519 } }
// (ca: the STARTTLS server's CA; implicitCa: the implicit-TLS server's)
// Output: one line on stdout, `@@result@@ <json>` (see the harness, ../run.mjs).
import {
  buildMessage,
  buildMessageStream,
  composeMessage,
  getEnvelope,
  MimeError,
} from '@mail/mime'
import { signDkim } from '@mail/mime/dkim'
import { createTransport, sendmail } from '@mail/send'
import { SmtpClient } from '@mail/smtp'
import { nodeSockets } from '@mail/smtp/node'
import {
  BUILD_EXTRA,
  buildOptions,
  DKIM_DOMAIN,
  DKIM_SELECTORS,
  messageInputs,
  plainSendInput,
} from './messages.mjs'

function readConfig() {
  const name = 'MAIL_RUNTIMES_CONFIG'
  const raw = globalThis.Deno ? globalThis.Deno.env.get(name) : globalThis.process?.env?.[name]
  if (!raw) throw new Error(`${name} is not set`)
  return JSON.parse(raw)
}

function runtimeName() {
  if (globalThis.Deno) return `deno ${globalThis.Deno.version.deno}`
  if (globalThis.Bun) return `bun ${globalThis.Bun.version}`
  return `node ${globalThis.process.versions.node}`
}

function describeError(error) {
  return {
    name: error?.name,
    message: String(error?.message ?? error),
    stack: String(error?.stack ?? ''),
    field: error?.field,
    code: error?.code,
    stage: error?.stage,
  }
}

/** Runs one step; a failure is recorded (and reported by the harness) instead of aborting the rest. */
async function step(result, key, fn) {
  // Progress on stderr: if a runtime hangs, the harness's timeout report names the step.
  console.error(`scenario: ${key}`)
  try {
    result[key] = await fn()
  } catch (error) {
    result.errors[key] = describeError(error)
  }
}

const config = readConfig()
const result = { runtime: runtimeName(), errors: {} }

// 1. Deterministic builds of every representative message, with both entry points.
await step(result, 'built', () => {
  const built = {}
  for (const [name, input] of Object.entries(messageInputs())) {
    const extra = BUILD_EXTRA[name] ?? {}
    const composed = composeMessage(input, buildOptions(name, extra))
    const raw = buildMessage(input, buildOptions(name, extra))
    if (raw !== composed.raw) throw new Error(`${name}: buildMessage and composeMessage differ`)
    built[name] = { ...composed, getEnvelope: getEnvelope(input, buildOptions(name, extra)) }
  }
  return built
})

// 2. Bad input is a MimeError naming the field on every runtime.
await step(result, 'mimeError', () => {
  try {
    buildMessage({
      from: 'a@example.com',
      to: 'b@example.org',
      subject: 'x\r\nBcc: evil@example.org',
    })
  } catch (error) {
    return { isMimeError: error instanceof MimeError, name: error.name, field: error.field }
  }
  return { isMimeError: false, thrown: false }
})

// 3. DKIM: one message signed with RSA (PKCS#8 and PKCS#1 keys) and Ed25519.
await step(result, 'dkim', async () => {
  const raw = buildMessage(messageInputs()['text-html'], buildOptions('text-html'))
  const sign = (key, selector, extra = {}) =>
    signDkim(raw, { domain: DKIM_DOMAIN, selector, privateKey: key, ...extra })
  return {
    unsigned: raw,
    rsa: await sign(config.keys.rsa, DKIM_SELECTORS.rsa),
    rsaPkcs1: await sign(config.keys.rsaPkcs1, DKIM_SELECTORS.rsaPkcs1, {
      canonicalization: 'simple/simple',
    }),
    ed25519: await sign(config.keys.ed25519, DKIM_SELECTORS.ed25519),
  }
})

// 3b. Streaming: the 'attachments' message with its bytes as Blobs streams the octets of its
// string build, and signed in two passes equals the string signed alike (same clock).
await step(result, 'streamed', async () => {
  const input = messageInputs().attachments
  const attachments = input.attachments.map((a) =>
    a.content instanceof Uint8Array ? { ...a, content: new Blob([a.content]) } : a,
  )
  const build = () => buildMessageStream({ ...input, attachments }, buildOptions('attachments'))
  const message = build()
  const raw = await new Response(message.stream()).text()
  const dkim = {
    domain: DKIM_DOMAIN,
    selector: DKIM_SELECTORS.ed25519,
    privateKey: config.keys.ed25519,
    now: () => new Date('2026-04-26T12:00:00Z'),
  }
  const signed = await signDkim(build(), dkim)
  return {
    raw,
    size: message.size,
    signedStream: await new Response(signed.stream()).text(),
    signedString: await signDkim(buildMessage(input, buildOptions('attachments')), dkim),
  }
})

// 4. sendmail over plaintext SMTP (security 'none') to the harness's loopback aiosmtpd.
await step(result, 'plainSend', async () => {
  const input = plainSendInput()
  const info = await sendmail(input, {
    host: '127.0.0.1',
    port: config.plainPort,
    security: 'none',
  })
  return { info, expectedRaw: buildMessage(input), expectedEnvelope: getEnvelope(input) }
})

// 5. SmtpClient with STARTTLS (verified against the kit's CA) and the socket adapter passed
//    explicitly from '@mail/smtp/node' (the other sends choose it automatically): two
//    deterministic messages on one connection, the second one needing SMTPUTF8.
await step(result, 'tlsSend', async () => {
  const client = await SmtpClient.connect({
    host: '127.0.0.1',
    port: config.tlsPort,
    security: 'starttls',
    tls: { ca: config.ca },
    socket: nodeSockets,
  })
  try {
    const sends = []
    for (const name of ['inline-image', 'smtputf8']) {
      const input = messageInputs()[name]
      const composed = composeMessage(input, buildOptions(name, BUILD_EXTRA[name] ?? {}))
      const envelope = { ...composed.envelope, ...(composed.smtputf8 ? { smtputf8: true } : {}) }
      const sent = await client.send(envelope, composed.raw)
      sends.push({ name, raw: composed.raw, envelope: composed.envelope, result: sent })
    }
    return { secure: client.secure, sends }
  } finally {
    await client.quit()
  }
})

// 6. Implicit TLS (TLS from the first byte, as on port 465) with the adapter chosen automatically.
await step(result, 'implicitSend', async () => {
  const client = await SmtpClient.connect({
    host: '127.0.0.1',
    port: config.implicitPort,
    security: 'implicit',
    tls: { ca: config.implicitCa },
  })
  try {
    const composed = composeMessage(messageInputs().attachments, buildOptions('attachments'))
    const sent = await client.send(composed.envelope, composed.raw)
    return { secure: client.secure, raw: composed.raw, envelope: composed.envelope, result: sent }
  } finally {
    await client.quit()
  }
})

// 7. The same STARTTLS server without its CA: the certificate must be refused on every runtime
//    (proves that TLS is verified, not merely encrypted).
await step(result, 'tlsUntrusted', async () => {
  try {
    const client = await SmtpClient.connect({
      host: '127.0.0.1',
      port: config.tlsPort,
      security: 'starttls',
    })
    client.close()
    return { refused: false }
  } catch (error) {
    return { refused: true, error: describeError(error) }
  }
})

// 8. A transport with DKIM over STARTTLS: @mail/send signs with Ed25519 on the way out.
await step(result, 'dkimSend', async () => {
  const transport = createTransport({
    host: '127.0.0.1',
    port: config.tlsPort,
    security: 'starttls',
    tls: { ca: config.ca },
    dkim: {
      domain: DKIM_DOMAIN,
      selector: DKIM_SELECTORS.ed25519,
      privateKey: config.keys.ed25519,
    },
  })
  try {
    const input = { ...messageInputs().attachments, messageId: '<dkim-send.1@example.com>' }
    return { info: await transport.send(input) }
  } finally {
    await transport.close()
  }
})

console.log(`@@result@@ ${JSON.stringify(result)}`)
