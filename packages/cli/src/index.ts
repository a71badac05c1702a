/**
 * `@mail/cli`: the `mailx` command line, also usable in-process. The inbox it serves is
 * `@mail/inbox`.
 *
 * @example
 * import { main } from '@mail/cli'
 * process.exitCode = await main(['inbox', '--json'])
 */

export { main, version } from './main.js'
export { EXIT, type Io } from './output.js'
