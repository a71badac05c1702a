// @mail/queue: bulk e-mail across processes and machines on BullMQ and Redis.

export { QueueError } from './errors.js'
export { createQueue } from './queue.js'
export type {
  EnqueueOptions,
  EnqueueResult,
  MailQueue,
  MailWorker,
  MessageState,
  MessageStatus,
  QueueCounts,
  QueueOptions,
  RateLimit,
  RecipientStatus,
  RedisConnection,
  WorkerOptions,
} from './types.js'
export { createWorker } from './worker.js'
