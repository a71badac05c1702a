import type { Redis } from 'ioredis'
import type { QueueKeys } from './keys.js'
import { messageState, type Outcome } from './outcome.js'
import type { MessageStatus, RecipientStatus } from './types.js'

/** What a job carries in BullMQ: the envelope and the Message-ID (the bytes are beside it). */
export interface JobData {
  /** The reverse-path ('' for the null sender). */
  from: string
  /** Every recipient, Bcc included, de-duplicated. */
  to: string[]
  /** Set when an address or header needs SMTPUTF8 (RFC 6531). */
  smtputf8?: true
  messageId: string
}

/** Recipients' outcomes as stored: settled ones first, then the last transient refusal. */
export async function readRecipients(
  redis: Redis,
  keys: QueueKeys,
  id: string,
  to: readonly string[],
): Promise<RecipientStatus[]> {
  const [settled, last] = await Promise.all([
    redis.hgetall(keys.settled(id)),
    redis.hgetall(keys.last(id)),
  ])
  return to.map((address) => {
    const stored = settled[address] ?? last[address]
    const o: Outcome =
      stored === undefined ? { status: 'pending' } : (JSON.parse(stored) as Outcome)
    return { address, ...o }
  })
}

/** The status of a job in state `bullState`, read from Redis. */
export async function readStatus(
  redis: Redis,
  keys: QueueKeys,
  id: string,
  data: JobData,
  bullState: string,
  failedReason?: string,
): Promise<MessageStatus> {
  const [recipients, meta] = await Promise.all([
    readRecipients(redis, keys, id, data.to),
    redis.hmget(keys.meta(id), 'attempts', 'error'),
  ])
  const status: MessageStatus = {
    state: messageState(bullState, recipients),
    attempts: Number(meta[0] ?? 0),
    recipients,
    messageId: data.messageId,
  }
  const error = bullState === 'failed' ? (failedReason ?? meta[1]) : meta[1]
  // An earlier transient error means nothing once every recipient was accepted.
  if (error !== null && error !== undefined && error !== '' && status.state !== 'sent') {
    status.error = error
  }
  return status
}
