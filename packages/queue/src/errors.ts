/**
 * Bad options given to `createQueue`, `createWorker` or `enqueue` (a bad message is a
 * `MimeError` of `@mail/mime`). `field` names the option at fault, e.g. `'options.delayMs'`.
 *
 * @example
 * try { await queue.enqueue(message, { delayMs: -1 }) } catch (e) {
 *   if (e instanceof QueueError) console.error(e.field, e.message)
 * }
 */
export class QueueError extends Error {
  override readonly name = 'QueueError'
  /** The option at fault. */
  readonly field: string

  constructor(field: string, problem: string) {
    super(`${field} ${problem}`)
    this.field = field
  }
}
