import { base64 } from './base64.js'
import type { AuthMechanism, PasswordCredentials } from './mechanism.js'

/** The LOGIN mechanism (draft-murchison-sasl-login): user name, then password, each on request. */
export function login({ user, pass }: PasswordCredentials): AuthMechanism {
  let step = 0
  return {
    name: 'LOGIN',
    initial: () => undefined,
    // Answer by position, not by the prompt text, which servers word differently.
    respond: () => base64(step++ === 0 ? user : pass),
  }
}
