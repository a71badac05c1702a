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

/**
 * Refuses keys of `options` outside `known` with a QueueError naming `prefix + key`: an option
 * spelled as BullMQ or another mailer spells it is not silently ignored (a misspelt rate limit
 * would send at full speed). `hints` says what to write instead for such spellings.
 */
export function checkKeys(
  options: object,
  known: readonly string[],
  prefix: string,
  hints: Readonly<Record<string, string>> = {},
): void {
  for (const key of Object.keys(options)) {
    if (known.includes(key)) continue
    const hint = Object.hasOwn(hints, key) ? hints[key] : undefined
    throw new QueueError(
      prefix + key,
      hint === undefined
        ? `is not an option of @mail/queue (${prefix === '' ? 'options' : prefix.slice(0, -1)}: ${known.join(', ')})`
        : `is not an option of @mail/queue: ${hint}`,
    )
  }
}
