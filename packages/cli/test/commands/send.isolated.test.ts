import { resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BIN, tempDir } from '../helpers/cli.js'
import { runIsolated } from '../helpers/isolated.js'

interface Run {
  code: number | null
  stdout: string
  stderr: string
}

// Port 465 and an address that is not loopback exist only in a private network namespace: the
// fixture runs there, with the servers and the CLI (see fixtures/isolated-network.ts).
describe('mailx send in a private network namespace', () => {
  let report: { tlsPort: Run; plaintextAuth: Run & { wrote: string } }
  let work: Awaited<ReturnType<typeof tempDir>>

  beforeAll(async () => {
    work = await tempDir()
    const fixture = resolve(import.meta.dirname, '../fixtures/isolated-network.ts')
    report = await runIsolated(fixture, [BIN, work.dir])
  }, 60_000)

  afterAll(async () => {
    await work?.cleanup()
  })

  it('says that port 465 speaks TLS, in seconds, when smtp:// waits there for a greeting', () => {
    expect(report.tlsPort.code).toBe(1)
    expect(report.tlsPort.stderr).toBe(
      'mailx: no SMTP greeting from 127.0.0.1:465: this port speaks TLS: use smtps://\n',
    )
  })

  it('refuses a password in clear to an address that is not loopback, naming smtps:// and ?security=', () => {
    const r = report.plaintextAuth
    expect(r.code).toBe(1)
    expect(r.stderr).toBe(
      'mailx: refusing to send the password unencrypted to 192.0.2.25:2525, which is not a loopback address: use smtps:// or ?security=starttls (or ?allowInsecureAuth=true on a network you trust)\n',
    )
    expect(r.wrote).toMatch(/^EHLO /)
    expect(r.wrote).not.toMatch(/AUTH|s3cret/)
  })
})
