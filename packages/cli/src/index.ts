/**
 * `@mail/cli`: the `mailx` command line, also usable in-process, and its development inbox.
 *
 * @example
 * import { startInboxServer } from '@mail/cli'
 * const inbox = await startInboxServer({ dir: '.mail/inbox' })
 */

export {
  type DeliveredMessage,
  type InboxServer,
  type InboxServerOptions,
  startInboxServer,
} from './inbox/server.js'
export {
  inboxDir,
  listStored,
  messageFileName,
  type StoredFile,
  storeMessage,
} from './inbox/store.js'
export { main, version } from './main.js'
export { EXIT, type Io } from './output.js'
