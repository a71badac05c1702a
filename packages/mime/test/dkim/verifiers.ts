// The two independent verifiers: Debian's python3-dkim and npm mailauth, fed a local TXT record.
import { execFile } from 'node:child_process'
import { dkimVerify } from 'mailauth/lib/dkim/verify.js'

const PYTHON = '/usr/bin/python3'

/** `<selector>._domainkey.<domain>` -> TXT record. */
export type TxtRecords = Record<string, string>

/** One message for a verifier, with the DNS it sees; `index` picks the signature (0 = top). */
export interface VerifyCase {
  message: string
  records: TxtRecords
  index?: number
}

// Reads a JSON list of cases on stdin and prints one verdict per case: "pass" or the reason.
const SCRIPT = `
import base64, json, sys, dkim
out = []
for case in json.load(sys.stdin):
    records = case['records']
    def dnsfunc(name, timeout=5):
        return records.get(name.decode().rstrip('.'), '').encode()
    try:
        d = dkim.DKIM(base64.b64decode(case['message']), minkey=1024)
        out.append('pass' if d.verify(idx=case.get('index', 0), dnsfunc=dnsfunc) else 'fail')
    except Exception as e:
        out.append('error: %s: %s' % (type(e).__name__, e))
json.dump(out, sys.stdout)
`

/** Verifies every case with python3-dkim in one process; one verdict per case, in order. */
export function verifyWithPython(cases: readonly VerifyCase[]): Promise<string[]> {
  const input = JSON.stringify(
    cases.map((c) => ({
      message: Buffer.from(c.message, 'utf8').toString('base64'),
      records: c.records,
      index: c.index ?? 0,
    })),
  )
  return new Promise((resolve, reject) => {
    const child = execFile(
      PYTHON,
      ['-c', SCRIPT],
      { maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`python3-dkim failed: ${stderr || error.message}`))
        else resolve(JSON.parse(stdout) as string[])
      },
    )
    child.stdin!.end(input)
  })
}

/** Verifies the signature at `index` with mailauth: "pass" or the result and its comment. */
export async function verifyWithMailauth(
  { message, records, index = 0 }: VerifyCase,
  curTime?: Date,
): Promise<string> {
  const resolver = async (name: string, type: string) => {
    const txt = records[name]
    if (type !== 'TXT' || txt === undefined) {
      throw Object.assign(new Error(`no TXT record for ${name}`), { code: 'ENOTFOUND' })
    }
    return [[txt]]
  }
  const result = await dkimVerify(message, {
    resolver,
    ...(curTime ? { curTime } : {}),
  } as Parameters<typeof dkimVerify>[1])
  const status = result.results[index]?.status
  if (!status) return 'no signature'
  return status.result === 'pass' ? 'pass' : `${status.result}: ${String(status.comment)}`
}

/** Verifies every case with mailauth. */
export function verifyAllWithMailauth(cases: readonly VerifyCase[]): Promise<string[]> {
  return Promise.all(cases.map((c) => verifyWithMailauth(c)))
}
