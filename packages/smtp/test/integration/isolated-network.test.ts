import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { lastJsonLine, run } from '@mail/testkit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bundle } from '../helpers/child.js'

// The client runs in a child process inside private user, network and mount namespaces
// (`unshare`): a loopback interface of its own, which also carries 192.0.2.25 (TEST-NET-1, not a
// loopback address, reachable only inside that namespace), and /etc/resolv.conf and /etc/hosts
// bind-mounted over for that process only, pointing at a DNS responder it starts itself. Nothing
// leaves the machine and the machine's resolver is untouched.

interface Attempt {
  connected?: boolean
  error?: { stage: string; hint?: string; message: string }
  log: string[]
  wrote?: string
}

describe('in a private network namespace', () => {
  let child: Awaited<ReturnType<typeof bundle>>
  let dir: string
  let r: Record<'defaultSecurity' | 'opportunistic' | 'loopback' | 'tlsPort', Attempt> & {
    queries: string[]
  }
  const resolvConf = '/etc/resolv.conf'
  let before: string

  beforeAll(async () => {
    before = await readFile(resolvConf, 'utf8')
    child = await bundle(resolve(import.meta.dirname, '../fixtures/isolated-network.ts'))
    dir = await mkdtemp(join(tmpdir(), 'smtp-netns-'))
    await writeFile(
      join(dir, 'resolv.conf'),
      'nameserver 127.0.0.1\noptions timeout:1 attempts:1\n',
    )
    await writeFile(join(dir, 'hosts'), '127.0.0.1 localhost\n::1 localhost\n')
    const setup = [
      'ip link set lo up',
      'ip addr add 192.0.2.25/32 dev lo',
      `mount --bind ${join(dir, 'resolv.conf')} /etc/resolv.conf`,
      `mount --bind ${join(dir, 'hosts')} /etc/hosts`,
      `exec ${JSON.stringify(process.execPath)} ${JSON.stringify(child.file)}`,
    ].join(' && ')
    const result = await run('unshare', [
      '--user',
      '--map-root-user',
      '--net',
      '--mount',
      '--',
      'sh',
      '-c',
      setup,
    ])
    expect(result.code, result.stderr).toBe(0)
    r = lastJsonLine(result)
  }, 60_000)

  afterAll(async () => {
    await child.remove()
    await rm(dir, { recursive: true, force: true })
  })

  it('leaves the machine resolver as it was', async () => {
    expect(await readFile(resolvConf, 'utf8')).toBe(before)
    expect(r.queries).toContain('relay.localhost')
  })

  it('does not trust a *.localhost name that DNS sends to another address: STARTTLS is required', () => {
    const a = r.defaultSecurity
    expect(a.log).toContain('Connected to relay.localhost:2525 (192.0.2.25)')
    expect(a.error).toMatchObject({ stage: 'starttls', hint: 'starttls-unavailable' })
    expect(a.wrote).toBe('EHLO client.test\r\nQUIT\r\n')
  })

  it('writes no AUTH line in clear to that address, even with starttls-opportunistic', () => {
    const a = r.opportunistic
    expect(a.error).toMatchObject({ stage: 'auth', hint: 'plaintext-auth' })
    expect(a.error?.message).toMatch(/not a loopback address/)
    expect(a.wrote).toBe('EHLO client.test\r\nQUIT\r\n')
    expect(a.wrote).not.toContain('s3cret')
  })

  it('still authenticates in clear to a loopback address, the same server and credentials', () => {
    const a = r.loopback
    expect(a.connected).toBe(true)
    expect(a.wrote).toContain(`AUTH PLAIN ${btoa('\0alice\0s3cret')}\r\n`)
  })

  it('waits seconds, not minutes, for a plaintext greeting on port 465, and says to use TLS', () => {
    const a = r.tlsPort
    expect(a.error).toMatchObject({ stage: 'greeting', hint: 'use-implicit-tls' })
    expect(a.error?.message).toMatch(
      /Timed out after 5000 ms waiting for the reply to greeting; port 465 expects TLS from the first byte: use security: 'implicit'/,
    )
  })
})
