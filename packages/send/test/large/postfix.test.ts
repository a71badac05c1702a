// A 100 MiB file attachment delivered by Postfix (CHUNKING: BDAT) into its Maildir, then decoded
// there by mailparser: the attachment has the file's SHA-256.
import { createHash, randomBytes } from 'node:crypto'
import { openAsBlob } from 'node:fs'
import { mkdtemp, open, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { checkStream, type PostfixServer, startPostfix } from '@mail/testkit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sendmail } from '../../src/sendmail.js'

const MiB = 1024 * 1024
const SIZE = 100 * MiB

let dir: string
let file: string
let sha256: string
let postfix: PostfixServer

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'send-postfix-'))
  file = join(dir, 'hundred.bin')
  const hash = createHash('sha256')
  const handle = await open(file, 'w')
  try {
    for (let at = 0; at < SIZE; at += 4 * MiB) {
      const block = randomBytes(4 * MiB)
      hash.update(block)
      await handle.write(block)
    }
  } finally {
    await handle.close()
  }
  sha256 = hash.digest('hex')
  postfix = await startPostfix({ messageSizeLimit: 200 * MiB })
}, 60_000)

afterAll(async () => {
  await postfix?.stop()
  await rm(dir, { recursive: true, force: true })
})

describe('a 100 MiB file attachment through Postfix', () => {
  it('is delivered whole: the attachment decoded from the Maildir has the SHA-256 of the file', async () => {
    const info = await sendmail(
      {
        from: 'a@example.com',
        to: 'b@example.org',
        subject: 'A hundred',
        text: 'Attached.',
        attachments: [{ filename: 'hundred.bin', content: await openAsBlob(file) }],
      },
      { host: postfix.host, port: postfix.port, security: 'none' },
    )
    expect(info.accepted).toEqual(['b@example.org'])
    const [delivered] = await postfix.waitForDelivered(1, 120_000)
    const check = await checkStream(Readable.from([delivered!]))
    expect(check.attachments).toEqual([{ filename: 'hundred.bin', size: SIZE, sha256 }])
    expect(delivered!.toString('latin1', 0, 64 * 1024)).toContain(`Message-ID: ${info.messageId}`)
  }, 180_000)
})
