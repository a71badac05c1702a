/**
 * Conditions on a test server's state, checked again each time the state changes (`changed()`):
 * a signal, not a poll.
 */
export class Conditions {
  private readonly waiters = new Set<() => void>()
  private readonly label: string

  /** `label` names the server in the timeout's message. */
  constructor(label: string) {
    this.label = label
  }

  /** The state changed: every waiting condition is checked again. */
  readonly changed = (): void => {
    for (const wake of this.waiters) wake()
  }

  /** Resolves once `check()` holds; rejects after `timeoutMs`. */
  until(check: () => boolean, timeoutMs: number): Promise<void> {
    if (check()) return Promise.resolve()
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(wake)
        reject(new Error(`${this.label}: condition not reached within ${timeoutMs} ms`))
      }, timeoutMs)
      const wake = () => {
        if (!check()) return
        clearTimeout(timer)
        this.waiters.delete(wake)
        resolve()
      }
      this.waiters.add(wake)
    })
  }
}
