import type { TokenContext } from '../auth/mechanism.js'

/** What one token request gave: the access token and, when the server said, its lifetime. */
export interface IssuedToken {
  accessToken: string
  /** Seconds the token is valid for (RFC 6749 5.1 `expires_in`), when the server said. */
  expiresIn?: number | undefined
}

// A token is renewed this long before it expires, at most: a clock a little off, or a message
// that takes a while to reach AUTH, must not present a token that expires on the way.
const MAX_MARGIN_MS = 60_000

/**
 * One access token shared by every connection: kept until shortly before it expires (the smaller
 * of 60 s and a tenth of its lifetime), fetched by one request however many callers ask at once,
 * and renewed early only when a caller reports that very token refused.
 *
 * @example
 * const cache = new TokenCache(() => requestToken(...), Date.now)
 * const token = await cache.get({})                  // a request
 * await cache.get({})                                // the same token, no request
 * await cache.get({ expired: token })                // a new request: the server refused it
 */
export class TokenCache {
  private token: { value: string; renewAt: number } | undefined
  private pending: Promise<string> | undefined

  constructor(
    private readonly issue: () => Promise<IssuedToken>,
    private readonly now: () => number,
  ) {}

  get(context: TokenContext | undefined): Promise<string> {
    if (this.pending !== undefined) return this.pending
    const token = this.token
    if (
      token !== undefined &&
      this.now() < token.renewAt &&
      (context?.expired === undefined || context.expired !== token.value)
    ) {
      return Promise.resolve(token.value)
    }
    const asked = this.now()
    const pending = this.issue().then(
      ({ accessToken, expiresIn }) => {
        // Lifetimes count from when the request left, so a slow answer errs on the early side.
        // Without expires_in the token is kept until a server refuses it.
        const lifetime = expiresIn === undefined ? Number.POSITIVE_INFINITY : expiresIn * 1000
        const margin = Math.min(MAX_MARGIN_MS, lifetime / 10)
        this.token = { value: accessToken, renewAt: asked + lifetime - margin }
        this.pending = undefined
        return accessToken
      },
      (error: unknown) => {
        this.pending = undefined
        throw error
      },
    )
    this.pending = pending
    return pending
  }
}
