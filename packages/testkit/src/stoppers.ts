import { afterEach } from 'vitest'

/** What a test starts and must stop: a server, a proxy, a token endpoint. */
export interface Stoppable {
  stop(): Promise<void>
}

/**
 * Call at the top of a test file. Returns `track`, which resolves with what it is given once it
 * has started and stops it, with everything else tracked, after the test that started it.
 *
 * @example
 * const track = stopAfterEach()
 * it('...', async () => {
 *   const server = await track(startScriptedServer(script))
 * })
 */
export function stopAfterEach(): <T extends Stoppable>(started: T | Promise<T>) => Promise<T> {
  const running: Stoppable[] = []
  afterEach(async () => {
    await Promise.all(running.splice(0).map((s) => s.stop()))
  })
  return async (started) => {
    const s = await started
    running.push(s)
    return s
  }
}
