/**
 * A bad option or filter given to the inbox: `field` names it (`'limits.maxMessageSize'`,
 * `'filter.subjct'`). The HTTP API answers these with 400 and the same message.
 *
 * @example
 * try { await inbox.messages({ subjct: 'Hi' } as never) }
 * catch (e) { if (e instanceof InboxError) console.error(e.field) } // 'filter.subjct'
 */
export class InboxError extends Error {
  override readonly name = 'InboxError'
  /** The option or filter at fault. */
  readonly field: string

  constructor(field: string, message: string) {
    super(message)
    this.field = field
  }
}
