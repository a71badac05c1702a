/**
 * `@mail/inbox`: the local inbox for development and tests. An SMTP receiver that keeps every
 * message, a JSON API, live events and a web page, on one store.
 *
 * @example
 * import { startInbox } from '@mail/inbox'
 * const inbox = await startInbox({ dir: ':memory:', smtp: { port: 0 }, http: { port: 0 } })
 * console.log(inbox.smtpUrl, inbox.httpUrl)
 */

export { inboxDir } from './dir.js'
export { InboxError } from './errors.js'
export { isMessageId, messageFileName, messageId } from './ids.js'
export { startInbox } from './inbox.js'
export {
  DEFAULT_HTTP_PORT,
  DEFAULT_MAX_CONNECTIONS,
  DEFAULT_MAX_MESSAGE_SIZE,
  DEFAULT_SMTP_PORT,
} from './options.js'
export { type InboxReader, readInbox } from './reader.js'
export { emlPath } from './store/disk.js'
export type {
  Inbox,
  InboxAddress,
  InboxAttachment,
  InboxEvent,
  InboxFilter,
  InboxHeader,
  InboxLimits,
  InboxMessage,
  InboxOptions,
  ResolvedLimits,
} from './types.js'
