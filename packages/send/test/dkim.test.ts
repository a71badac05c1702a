import { execFile } from 'node:child_process'
import { generateKeyPairSync } from 'node:crypto'
import { MimeError } from '@mail/mime'
import { PYTHON, startAiosmtpd } from '@mail/testkit'
import { describe, expect, it } from 'vitest'
import { sendmail } from '../src/sendmail.js'
import { createTestTransport } from '../src/test-transport.js'
import { createTransport } from '../src/transport.js'

// python3-dkim with the public key served from a dict instead of DNS.
const VERIFY = `
import sys, dkim
records = {sys.argv[1].encode(): sys.argv[2].encode()}
message = sys.stdin.buffer.read()
d = dkim.DKIM(message, minkey=1024)
def check(i):
    try:
        return 'pass' if d.verify(idx=i, dnsfunc=lambda name, timeout=5: records.get(name.rstrip(b'.'), b'')) else 'fail'
    except dkim.ValidationError as e:
        return 'fail: %s' % e
print(' '.join(check(i) for i in range(int(sys.argv[3]))))
`

function verify(message: Buffer | string, name: string, txt: string, count = 1): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      PYTHON,
      ['-c', VERIFY, name, txt, String(count)],
      (error, stdout, stderr) =>
        error ? reject(new Error(stderr || error.message)) : resolve(stdout.trim()),
    )
    child.stdin!.end(message)
  })
}

function rsa() {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
  const p = publicKey.export({ type: 'spki', format: 'der' }).toString('base64')
  return {
    pem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    txt: `v=DKIM1; k=rsa; p=${p}`,
  }
}

function ed25519() {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519')
  const spki = publicKey.export({ type: 'spki', format: 'der' })
  return {
    pem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    txt: `v=DKIM1; k=ed25519; p=${spki.subarray(spki.length - 32).toString('base64')}`,
  }
}

const message = {
  from: 'Sender <sender@example.com>',
  to: 'rcpt@example.org',
  subject: 'Signed',
  text: 'This message is signed.\n',
  html: '<p>This message is signed.</p>',
}

describe('the dkim transport option', () => {
  it('signs what sendmail sends so that python3-dkim verifies it on arrival', async () => {
    const key = rsa()
    const server = await startAiosmtpd()
    try {
      await sendmail(message, {
        host: '127.0.0.1',
        port: server.port,
        security: 'none',
        dkim: { domain: 'example.com', selector: 'sel', privateKey: key.pem },
      })
      const [received] = await server.waitFor(1)
      expect(received!.data.toString('latin1')).toMatch(/^DKIM-Signature: /)
      expect(await verify(received!.data, 'sel._domainkey.example.com', key.txt)).toBe('pass')
      // Altered after signing: no longer verifies.
      const altered = received!.data.toString('latin1').replace('is signed', 'is forged')
      expect(await verify(altered, 'sel._domainkey.example.com', key.txt)).toMatch(/^fail/)
    } finally {
      await server.stop()
    }
  })

  it('adds one signature per key given, each verifying', async () => {
    const a = rsa()
    const b = ed25519()
    const server = await startAiosmtpd()
    try {
      await using transport = createTransport({
        host: '127.0.0.1',
        port: server.port,
        security: 'none',
        dkim: [
          { domain: 'example.com', selector: 'a', privateKey: a.pem },
          { domain: 'example.com', selector: 'b', privateKey: b.pem },
        ],
      })
      await transport.send(message)
      const [received] = await server.waitFor(1)
      const raw = received!.data.toString('latin1')
      expect(raw.match(/^DKIM-Signature:/gm)).toHaveLength(2)
      // The last key given signs last, so its signature is on top (index 0).
      expect(await verify(raw, 'b._domainkey.example.com', b.txt)).toBe('pass')
      const second = raw.indexOf('\r\nDKIM-Signature:') + 2
      expect(await verify(raw.slice(second), 'a._domainkey.example.com', a.txt)).toBe('pass')
    } finally {
      await server.stop()
    }
  })

  it('signs a ready message given to sendRaw, and refuses bytes that are not UTF-8', async () => {
    const key = ed25519()
    const server = await startAiosmtpd()
    try {
      await using transport = createTransport({
        host: '127.0.0.1',
        port: server.port,
        security: 'none',
        dkim: { domain: 'example.com', selector: 'raw', privateKey: key.pem },
      })
      const eml =
        'From: sender@example.com\r\nTo: rcpt@example.org\r\nSubject: Ready\r\n\r\nAs is.\r\n'
      const envelope = { from: 'sender@example.com', to: ['rcpt@example.org'] }
      await transport.sendRaw(envelope, new TextEncoder().encode(eml))
      const [received] = await server.waitFor(1)
      expect(received!.data.toString('latin1')).toMatch(/^DKIM-Signature: [\s\S]*\r\nFrom: sender/)
      expect(await verify(received!.data, 'raw._domainkey.example.com', key.txt)).toBe('pass')
      const latin1 = Uint8Array.of(...new TextEncoder().encode('Subject: caf'), 0xe9, 0x0d, 0x0a)
      await expect(transport.sendRaw(envelope, latin1)).rejects.toMatchObject({
        kind: 'message',
        field: 'raw',
      })
    } finally {
      await server.stop()
    }
  })

  it('refuses to send with a bad key: a MimeError, never an unsigned message', async () => {
    const transport = createTestTransport({
      dkim: { domain: 'example.com', selector: 's', privateKey: 'not a key' },
    })
    await expect(transport.send(message)).rejects.toBeInstanceOf(MimeError)
    expect(transport.messages).toEqual([])
  })
})
