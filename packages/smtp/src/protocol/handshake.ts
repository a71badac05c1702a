import {
  type AuthMechanism,
  type BearerCredentials,
  chooseMechanism,
  type PasswordCredentials,
  type TokenContext,
  type TokenCredentials,
  type TokenProvider,
  tokenMechanism,
} from '../auth/index.js'
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
    const { auth, host, loopback, allowInsecureAuth } = this.s.config
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
    if ('accessToken' in auth && typeof auth.accessToken === 'function') {
      if (tokenMechanism(offered, auth.mechanism) === undefined) {
        this.refuseAuth(
          `None of the server's AUTH mechanisms (${offered.join(' ')}) can use an access token`,
        )
        return
      }
      this.askToken(auth, auth.accessToken, {}, undefined)
      return
    }
    this.authWith(auth as PasswordCredentials | BearerCredentials, undefined)
  }

  /** Chooses the mechanism for credentials in hand and starts AUTH. */
  private authWith(
    credentials: PasswordCredentials | (BearerCredentials & Pick<TokenCredentials, 'mechanism'>),
    refused: ((error: SmtpError) => void) | undefined,
  ): void {
    const { host, port } = this.s.config
    const offered = this.s.capabilities.auth
    let mechanism: AuthMechanism | undefined
    try {
      mechanism = chooseMechanism(offered, credentials, host, port)
    } catch (e) {
      // Credentials a mechanism cannot carry: nothing of them was written.
      this.s.refuse(e as SmtpError)
      return
    }
    if (mechanism === undefined) {
      const kind = 'accessToken' in credentials ? 'an access token' : 'a password'
      this.refuseAuth(`None of the server's AUTH mechanisms (${offered.join(' ')}) can use ${kind}`)
      return
    }
    this.authenticate(mechanism, refused)
  }

  /**
   * Asks the token provider, then authenticates with its token. The first refusal (535, after
   * the error challenge if any) asks it once more with the refused token as `expired` and tries
   * again; the second refusal ends the session. The client never keeps a token: the provider
   * decides what to cache.
   */
  private askToken(
    auth: TokenCredentials,
    provider: TokenProvider,
    context: TokenContext,
    refusal: SmtpError | undefined,
  ): void {
    this.s.log(
      'info',
      refusal === undefined
        ? 'Asking the token provider for an access token'
        : 'The server refused the access token; asking the token provider for another',
    )
    let work: Promise<string>
    try {
      work = Promise.resolve(provider(context))
    } catch (e) {
      work = Promise.reject(e)
    }
    const waiting: Expectation = {
      stage: 'auth',
      command: 'AUTH',
      label: 'the token provider (asked before AUTH)',
      timeout: 'command',
      handle: (reply) =>
        this.s.refuse(
          replyError(
            'Unexpected reply from the server while the token provider was asked',
            reply,
            'auth',
          ),
        ),
    }
    this.s.waitFor(waiting, work, (result) => {
      if (result.status === 'rejected') return this.s.refuse(providerError(result.reason))
      const token = result.value
      if (refusal !== undefined && token === context.expired) {
        // The same token again would be refused again.
        this.s.log('info', 'The token provider gave the refused token again')
        return this.s.refuse(refusal)
      }
      const credentials: BearerCredentials & Pick<TokenCredentials, 'mechanism'> = {
        user: auth.user,
        accessToken: token,
      }
      if (auth.mechanism !== undefined) credentials.mechanism = auth.mechanism
      this.authWith(
        credentials,
        refusal === undefined
          ? (error) => this.askToken(auth, provider, { expired: token }, error)
          : undefined,
      )
    })
  }

  private refuseAuth(message: string): void {
    this.s.refuse(new SmtpError(message, { stage: 'auth' }))
  }

  /** AUTH with the mechanism; `refused`, when given, takes a 535 instead of ending the session. */
  private authenticate(
    mechanism: AuthMechanism,
    refused: ((error: SmtpError) => void) | undefined,
  ): void {
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
        const error = replyError('Authentication failed', reply, 'auth', 'AUTH')
        // RFC 4954 6: 535, the credentials are not accepted; AUTH may be tried again.
        if (reply.code === 535 && refused !== undefined) return refused(error)
        this.s.refuse(error)
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

/** A token provider's failure as an SmtpError: its own when it gave one. */
function providerError(reason: unknown): SmtpError {
  if (reason instanceof SmtpError) return reason
  const message = reason instanceof Error ? reason.message : String(reason)
  return new SmtpError(`The token provider failed: ${message}`, { stage: 'auth', cause: reason })
}
