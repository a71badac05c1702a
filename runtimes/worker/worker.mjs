// The Cloudflare Worker of the cross-runtime suite, bundled by the harness (../run.mjs) from the
// installed tarballs and run in workerd by Miniflare. GET /?port=N builds the deterministic
// 'inline-image' message with @mail/mime, signs a copy with @mail/mime/dkim (Ed25519, key from the
// DKIM_KEY binding), and sends both with @mail/smtp over `cloudflare:sockets` to 127.0.0.1:N
// (plaintext: TLS is covered on the other runtimes), one connection each: the first with the
// automatically chosen socket adapter, the second with the one passed explicitly. Then
// @mail/send's sendmail delivers the 'plain send' message through an smtp:// URL transport.
// Last, it streams the same message with buildMessageStream, its image from a ReadableStream,
// and signs a streamed copy (image from a Blob) in two passes, as the string was signed.
// It answers with what it sent and streamed, as JSON.
import { buildMessageStream, composeMessage } from '@mail/mime'
import { signDkim } from '@mail/mime/dkim'
import { sendmail } from '@mail/send'
import { SmtpClient } from '@mail/smtp'
import { cloudflareSockets } from '@mail/smtp/cloudflare'
import {
  buildOptions,
  DKIM_DOMAIN,
  DKIM_SELECTORS,
  messageInputs,
  plainSendInput,
} from '../scenario/messages.mjs'

function describeError(error) {
  return {
    name: error?.name,
    message: String(error?.message ?? error),
    stack: String(error?.stack ?? ''),
    code: error?.code,
    stage: error?.stage,
  }
}

/** The 'inline-image' message with its image bytes given as `wrap(bytes)`. */
function inlineImage(wrap) {
  const input = messageInputs()['inline-image']
  const attachments = input.attachments.map((a) =>
    a.content instanceof Uint8Array ? { ...a, content: wrap(a.content) } : a,
  )
  return { ...input, attachments }
}

/** A ReadableStream of `bytes` in chunks of 5 octets, so every base64 line is cut. */
function trickle(bytes) {
  let at = 0
  return new ReadableStream({
    pull(controller) {
      if (at >= bytes.length) return controller.close()
      controller.enqueue(bytes.slice(at, at + 5))
      at += 5
    },
  })
}

async function streamed(env) {
  // Fresh generators for each build: each gives the same Message-ID as Node's build.
  const options = () => buildOptions('inline-image')
  const message = buildMessageStream(inlineImage(trickle), options())
  const streamedRaw = await new Response(message.stream()).text()
  // Same signing time for both, so the two signatures must be the same.
  const dkim = {
    domain: DKIM_DOMAIN,
    selector: DKIM_SELECTORS.ed25519,
    privateKey: env.DKIM_KEY,
    now: () => new Date('2026-04-26T12:00:00Z'),
  }
  const blobMessage = buildMessageStream(
    inlineImage((bytes) => new Blob([bytes])),
    options(),
  )
  const signedStream = await new Response((await signDkim(blobMessage, dkim)).stream()).text()
  const signedString = await signDkim(
    composeMessage(
      inlineImage((b) => b),
      options(),
    ).raw,
    dkim,
  )
  return { streamedRaw, streamedSize: message.size ?? null, signedStream, signedString }
}

export default {
  async fetch(request, env) {
    try {
      const port = Number(new URL(request.url).searchParams.get('port'))
      const composed = composeMessage(messageInputs()['inline-image'], buildOptions('inline-image'))
      const signed = await signDkim(composed.raw, {
        domain: DKIM_DOMAIN,
        selector: DKIM_SELECTORS.ed25519,
        privateKey: env.DKIM_KEY,
      })
      const results = []
      // First connection: the socket adapter is chosen automatically (cloudflare:sockets here);
      // second one: the adapter passed explicitly from the '@mail/smtp/cloudflare' entry point.
      for (const [raw, socket] of [
        [composed.raw, undefined],
        [signed, cloudflareSockets],
      ]) {
        const client = await SmtpClient.connect({
          host: '127.0.0.1',
          port,
          security: 'none',
          ...(socket ? { socket } : {}),
        })
        try {
          results.push({ ...(await client.send(composed.envelope, raw)), secure: client.secure })
        } finally {
          await client.quit()
        }
      }
      const info = await sendmail(plainSendInput(), `smtp://127.0.0.1:${port}?security=none`)
      const { streamedRaw, streamedSize, signedStream, signedString } = await streamed(env)
      return Response.json({
        ok: true,
        raw: composed.raw,
        signed,
        envelope: composed.envelope,
        results,
        info,
        streamedRaw,
        streamedSize,
        signedStream,
        signedString,
      })
    } catch (error) {
      return Response.json({ ok: false, error: describeError(error) }, { status: 500 })
    }
  },
}
