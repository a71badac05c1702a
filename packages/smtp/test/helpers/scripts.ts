import type { ScriptedConnection } from '@mail/testkit'
import { expect } from 'vitest'

/** The end of a scripted server's conversation: expects QUIT, answers 221 and closes. */
export async function answerQuit(c: ScriptedConnection): Promise<void> {
  expect(await c.readLine()).toBe('QUIT')
  c.write('221 bye\r\n')
  c.end()
}
