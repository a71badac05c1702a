import { chooseMechanism } from '../auth/index.js'
import { SmtpError } from '../errors.js'
import { has, parseCapabilities } from './capabilities.js'
import { command } from './commands.js'
import type { Reply } from './reply-parser.js'
import { replyError, type Session } from './session.js'

const MAX_AUTH_ROUNDS = 8

/** Greeting, EHLO (or HELO, or LHLO), STARTTLS and AUTH, one step at a time. */
export class Handshake {
  constructor(private readonly s: Session) {}

  start(): void {
    this.s.expect({
      stage: 'greeting',
      command: 'greeting',
      timeout: 'greeting',
      handle: (reply) => {
        this.s.greeted()
        // RFC 5321 3.1: 220 opens the session; 554 refuses it, and QUIT is still polite.
        if (reply.code !== 220) {
          return this.s.fatal(
            replyError('The server refused the session', reply, 'greeting'),
            false,
            true,
          )
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
          this.s.capabilities = parseCapabilities(reply.lines)
          return this.afterHello()
        }
        // RFC 5321 3.2: a server that does not know EHLO answers 5xx; HELO still works.
        if (!lmtp && reply.code >= 500) return this.helo()
        this.s.fatal(replyError(`${verb} was refused`, reply, 'ehlo', verb), false, true)
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
          return this.s.fatal(
            replyError('EHLO and HELO were refused', reply, 'ehlo', 'HELO'),
            false,
            true,
          )
        }
        this.afterHello()
      },
    })
  }

  private afterHello(): void {
    const { security } = this.s.config
    if (!this.s.secure && (security === 'starttls' || security === 'starttls-opportunistic')) {
      if (has(this.s.capabilities, 'STARTTLS')) {
        this.starttls()
        return
      }
      if (security === 'starttls') {
        const fix =
          this.s.config.port === 465
            ? "; this port usually expects TLS from the start: use security: 'implicit'"
            : "; use security: 'implicit' if the server expects TLS from the start, or 'starttls-opportunistic' to allow plaintext"
        this.s.fatal(
          new SmtpError(
            `The server does not offer STARTTLS, which security 'starttls' requires${fix}`,
            {
              stage: 'starttls',
            },
          ),
          false,
          true,
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
        if (reply.code === 220) return this.s.upgrade()
        if (this.s.config.security === 'starttls-opportunistic') return this.auth()
        this.s.fatal(replyError('STARTTLS was refused', reply, 'starttls', 'STARTTLS'), false, true)
      },
    })
  }

  private auth(): void {
    const { auth, host, port, loopback, allowInsecureAuth } = this.s.config
    if (auth === undefined) {
      this.s.ready()
      return
    }
    const fail = (message: string) =>
      this.s.fatal(new SmtpError(message, { stage: 'auth' }), false, true)
    // RFC 4954 4: credentials in the clear only where nobody can listen.
    if (!this.s.secure && !loopback && !allowInsecureAuth) {
      fail(
        `Refusing to send credentials over an unencrypted connection to ${host}; use security 'starttls' or 'implicit' (or set allowInsecureAuth)`,
      )
      return
    }
    const offered = this.s.capabilities.auth
    if (offered.length === 0) {
      fail(
        `Credentials were given but the server offers no AUTH${this.s.secure ? '' : ' (on this unencrypted connection)'}`,
      )
      return
    }
    const mechanism = chooseMechanism(offered, auth, host, port)
    if (mechanism === undefined) {
      const kind = 'accessToken' in auth ? 'an access token' : 'a password'
      fail(`None of the server's AUTH mechanisms (${offered.join(' ')}) can use ${kind}`)
      return
    }
    let rounds = 0
    const expectation = {
      stage: 'auth' as const,
      command: 'AUTH',
      timeout: 'command' as const,
      handle: (reply: Reply) => {
        if (reply.code === 334 && rounds++ < MAX_AUTH_ROUNDS) {
          const answer = mechanism.respond(reply.lines[0]?.trim() ?? '')
          return this.s.send(`${answer}\r\n`, expectation, '<redacted>')
        }
        if (reply.code === 235) {
          this.s.authenticated = true
          this.s.host.log('info', `Authenticated with ${mechanism.name}`)
          return this.s.ready()
        }
        this.s.fatal(replyError('Authentication failed', reply, 'auth', 'AUTH'), false, true)
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
