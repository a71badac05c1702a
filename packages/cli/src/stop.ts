/**
 * Resolves with what asked a long-running command (`serve`, `worker`) to stop: Ctrl-C (`SIGINT`),
 * `SIGTERM`, or `'abort'` when `signal` aborts. `dispose` removes the handlers.
 */
export function stopRequested(signal?: AbortSignal): {
  promise: Promise<string>
  dispose(): void
} {
  let dispose = () => {}
  const promise = new Promise<string>((resolve) => {
    const onSignal = (name: string) => () => resolve(name)
    const int = onSignal('SIGINT')
    const term = onSignal('SIGTERM')
    const abort = () => resolve('abort')
    process.once('SIGINT', int)
    process.once('SIGTERM', term)
    signal?.addEventListener('abort', abort, { once: true })
    dispose = () => {
      process.off('SIGINT', int)
      process.off('SIGTERM', term)
      signal?.removeEventListener('abort', abort)
    }
  })
  return { promise, dispose: () => dispose() }
}
