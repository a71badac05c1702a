import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'

const run = promisify(execFile)

/**
 * PEM material for TLS tests: `ca` signed `cert` (CN=localhost, SAN DNS:localhost, IP:127.0.0.1,
 * IP:::1); `key` is the server key.
 *
 * @example
 * const { ca } = await makeCertificates()
 * tls.connect({ host: '127.0.0.1', port, ca, servername: 'localhost' })
 */
export interface Certificates {
  ca: string
  key: string
  cert: string
}

const DEFAULT_NAMES = ['localhost', '127.0.0.1', '::1']
const cached = new Map<string, Promise<Certificates>>()

/**
 * Creates (once per process and set of names, then cached) a CA and a server certificate with the
 * `openssl` CLI. `names` (DNS names or IP addresses) go into the subjectAltName; the first is
 * the CN. Default: localhost, 127.0.0.1, ::1.
 */
export function makeCertificates(names: readonly string[] = DEFAULT_NAMES): Promise<Certificates> {
  const key = names.join(' ')
  let certificates = cached.get(key)
  if (certificates === undefined) {
    certificates = generate(names).catch((error: unknown) => {
      cached.delete(key)
      throw error
    })
    cached.set(key, certificates)
  }
  return certificates
}

const IP = /^[\d.]+$|:/

async function generate(names: readonly string[]): Promise<Certificates> {
  if (names.length === 0 || names.some((n) => !/^[A-Za-z0-9.:-]+$/.test(n))) {
    throw new Error('makeCertificates: names must be host names or IP addresses')
  }
  const dir = await mkdtemp(join(tmpdir(), 'mail-testkit-certs-'))
  const p = (name: string) => join(dir, name)
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes']
  try {
    await run('openssl', [
      'req',
      '-x509',
      ...ec,
      '-keyout',
      p('ca.key'),
      '-out',
      p('ca.pem'),
      '-days',
      '3650',
      '-subj',
      '/CN=mail testkit CA',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ])
    await run('openssl', [
      'req',
      '-new',
      ...ec,
      '-keyout',
      p('server.key'),
      '-out',
      p('server.csr'),
      '-subj',
      `/CN=${names[0]}`,
    ])
    await writeFile(
      p('ext.cnf'),
      [
        'basicConstraints=CA:FALSE',
        'keyUsage=critical,digitalSignature,keyEncipherment',
        'extendedKeyUsage=serverAuth',
        `subjectAltName=${names.map((n) => (IP.test(n) ? `IP:${n}` : `DNS:${n}`)).join(',')}`,
        '',
      ].join('\n'),
    )
    await run('openssl', [
      'x509',
      '-req',
      '-in',
      p('server.csr'),
      '-CA',
      p('ca.pem'),
      '-CAkey',
      p('ca.key'),
      '-CAcreateserial',
      '-out',
      p('server.pem'),
      '-days',
      '3650',
      '-extfile',
      p('ext.cnf'),
    ])
    const [ca, key, cert] = await Promise.all(
      ['ca.pem', 'server.key', 'server.pem'].map((f) => readFile(p(f), 'utf8')),
    )
    return { ca: ca!, key: key!, cert: cert! }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}
