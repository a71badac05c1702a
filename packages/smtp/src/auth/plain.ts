import { base64 } from './base64.js'
import { assertPassword, assertUser } from './credentials.js'
import type { AuthMechanism, PasswordCredentials } from './mechanism.js'

/** RFC 4616 PLAIN: one message, authzid empty, '\0user\0pass' (neither may hold a NUL). */
export function plain({ user, pass }: PasswordCredentials): AuthMechanism {
  assertUser(user)
  assertPassword(pass)
  const message = base64(`\0${user}\0${pass}`)
  return { name: 'PLAIN', initial: () => message, respond: () => message }
}
