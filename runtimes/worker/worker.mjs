// The Cloudflare Worker of the cross-runtime suite, bundled by the harness (../run.mjs) from the
// installed tarballs and run in workerd by Miniflare. GET /?port=N builds the deterministic
// 'inline-image' message with @mail/mime, signs a copy with @mail/mime/dkim (Ed25519, key from the
// DKIM_KEY binding), and sends both with @mail/smtp over `cloudflare:sockets` to 127.0.0.1:N
// (plaintext: TLS is covered on the other runtimes), one connection each: the first with the
// automatically chosen socket adapter, the second with the one passed explicitly. Then
// @mail/send's sendmail delivers the 'plain send' message through an smtp:// URL transport.
// It answers with what it sent, as JSON.
import { composeMessage } from '@mail/mime'
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
      return Response.json({
        ok: true,
        raw: composed.raw,
        signed,
        envelope: composed.envelope,
        results,
        info,
      })
    } catch (error) {
      return Response.json({ ok: false, error: describeError(error) }, { status: 500 })
    }
  },
}
