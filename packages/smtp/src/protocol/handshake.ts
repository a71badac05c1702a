import { type AuthMechanism, chooseMechanism } from '../auth/index.js'
import { replyError, SmtpError } from '../errors.js'
import { has, parseCapabilities } from './capabilities.js'
import { command } from './commands.js'
import type { HandshakeSession } from './conversation.js'
import type { Reply } from './reply-parser.js'
import type { Expectation } from './types.js'

const MAX_AUTH_ROUNDS = 8

/** Greeting, EHLO (or HELO, or LHLO), STARTTLS and AUTH, one step at a time. */
export class Handshake {
  constructor(private readonly s: HandshakeSession) {}

  start(): void {
    this.s.expect({
      stage: 'greeting',
      command: 'greeting',
      timeout: 'greeting',
      handle: (reply) => {
        this.s.greeted()
        // RFC 5321 3.1: 220 opens the session; 554 refuses it, and QUIT is still polite.
        if (reply.code !== 220) {
          return this.s.refuse(replyError('The server refused the session', reply, 'greeting'))
        }
        this.ehlo()
      },
    })
  }

  ehlo(): void {
    const { name, lmtp } = this.s.config
    const verb = lmtp ? 'LHLO' : 'EHLO'
    this.s.send(lmtp ? command.lhlo(name) : command.ehlo(name), {
      stage: 'ehlo',
      command: verb,
      timeout: 'command',
      handle: (reply) => {
        if (reply.code === 250) {
          this.s.negotiated(parseCapabilities(reply.lines))
          return this.afterHello()
        }
        // RFC 5321 3.2: a server that does not know EHLO answers 5xx; HELO still works.
        if (!lmtp && reply.code >= 500) return this.helo()
        this.s.refuse(replyError(`${verb} was refused`, reply, 'ehlo', verb))
      },
    })
  }

  private helo(): void {
    this.s.send(command.helo(this.s.config.name), {
      stage: 'ehlo',
      command: 'HELO',
      timeout: 'command',
      handle: (reply) => {
        if (reply.code !== 250) {
          return this.s.refuse(replyError('EHLO and HELO were refused', reply, 'ehlo', 'HELO'))
        }
        this.afterHello()
      },
    })
  }

  private afterHello(): void {
    const { security, port } = this.s.config
    if (!this.s.secure && (security === 'starttls' || security === 'starttls-opportunistic')) {
      if (has(this.s.capabilities, 'STARTTLS')) {
        this.starttls()
        return
      }
      if (security === 'starttls') {
        const fix =
          port === 465
            ? "; this port usually expects TLS from the start: use security: 'implicit'"
            : "; use security: 'implicit' if the server expects TLS from the start, or 'starttls-opportunistic' to allow plaintext"
        this.s.refuse(
          new SmtpError(
            `The server does not offer STARTTLS, which security 'starttls' requires${fix}`,
            { stage: 'starttls', hint: port === 465 ? 'use-implicit-tls' : 'starttls-unavailable' },
          ),
        )
        return
      }
    }
    this.auth()
  }

  private starttls(): void {
    this.s.send(command.starttls(), {
      stage: 'starttls',
      command: 'STARTTLS',
      timeout: 'command',
      handle: (reply) => {
        if (reply.code === 220) return this.s.startTls()
        if (this.s.config.security === 'starttls-opportunistic') return this.auth()
        this.s.refuse(replyError('STARTTLS was refused', reply, 'starttls', 'STARTTLS'))
      },
    })
  }

  private auth(): void {
    const { auth, host, port, loopback, allowInsecureAuth } = this.s.config
    if (auth === undefined) {
      this.s.ready()
      return
    }
    // RFC 4954 4: credentials in the clear only where nobody can listen: to a loopback address,
    // as the connected socket reports it (a host name proves nothing: DNS may answer anything).
    if (!this.s.secure && !loopback && !allowInsecureAuth) {
      this.s.refuse(
        new SmtpError(
          `Refusing to send credentials over an unencrypted connection to ${host}, which is not a loopback address; use security 'starttls' or 'implicit' (or set allowInsecureAuth)`,
          { stage: 'auth', hint: 'plaintext-auth' },
        ),
      )
      return
    }
    const offered = this.s.capabilities.auth
    if (offered.length === 0) {
      const where = this.s.secure ? '' : ' (on this unencrypted connection)'
      this.refuseAuth(`Credentials were given but the server offers no AUTH${where}`)
      return
    }
    let mechanism: AuthMechanism | undefined
    try {
      mechanism = chooseMechanism(offered, auth, host, port)
    } catch (e) {
      // Credentials a mechanism cannot carry: nothing of them was written.
      this.s.refuse(e as SmtpError)
      return
    }
    if (mechanism === undefined) {
      const kind = 'accessToken' in auth ? 'an access token' : 'a password'
      this.refuseAuth(`None of the server's AUTH mechanisms (${offered.join(' ')}) can use ${kind}`)
      return
    }
    this.authenticate(mechanism)
  }

  private refuseAuth(message: string): void {
    this.s.refuse(new SmtpError(message, { stage: 'auth' }))
  }

  private authenticate(mechanism: AuthMechanism): void {
    let rounds = 0
    const expectation: Expectation = {
      stage: 'auth',
      command: 'AUTH',
      timeout: 'command',
      handle: (reply: Reply) => {
        if (reply.code === 334 && rounds++ < MAX_AUTH_ROUNDS) {
          const answer = mechanism.respond(reply.lines[0]?.trim() ?? '')
          return this.s.send(command.authResponse(answer), expectation, '<redacted>')
        }
        if (reply.code === 235) {
          this.s.authenticatedWith(mechanism.name)
          return this.s.ready()
        }
        this.s.refuse(replyError('Authentication failed', reply, 'auth', 'AUTH'))
      },
    }
    const initial = mechanism.initial()
    this.s.send(
      command.auth(mechanism.name, initial),
      expectation,
      `AUTH ${mechanism.name}${initial === undefined ? '' : ' <redacted>'}`,
    )
  }
}
