import { base64 } from './base64.js'
import { assertPassword, assertUser } from './credentials.js'
import type { AuthMechanism, PasswordCredentials } from './mechanism.js'

/**
 * The LOGIN mechanism (draft-murchison-sasl-login): user name, then password, each on request,
 * each base64 on a line of its own (servers read them as C strings: no NUL in either).
 */
export function login({ user, pass }: PasswordCredentials): AuthMechanism {
  assertUser(user)
  assertPassword(pass)
  let step = 0
  return {
    name: 'LOGIN',
    initial: () => undefined,
    // Answer by position, not by the prompt text, which servers word differently.
    respond: () => base64(step++ === 0 ? user : pass),
  }
}
