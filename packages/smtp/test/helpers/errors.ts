import { expect } from 'vitest'
import { SmtpError } from '../../src/errors.js'

/** The SmtpError `p` rejects with; fails the test if `p` resolves or rejects with anything else. */
export async function failure(p: Promise<unknown>): Promise<SmtpError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  )
  expect(e).toBeInstanceOf(SmtpError)
  return e as SmtpError
}
