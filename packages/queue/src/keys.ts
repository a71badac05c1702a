/**
 * The Redis keys of one queue. BullMQ's own keys are `<prefix>:<name>:...`; this package's sit
 * beside them under `<prefix>:<name>:mail:...`, so one prefix and name hold everything.
 */
export interface QueueKeys {
  /** BullMQ's lock of a job (its value is the token of the worker that holds it). */
  lock(id: string): string
  /** The message's bytes (a binary string value). */
  raw(id: string): string
  /** Job facts: `messageId`, `attempts` (transactions started), `tries` (transient failures), `error`. */
  meta(id: string): string
  /** Settled recipients: address -> JSON of their status. */
  settled(id: string): string
  /** The last transient refusal of recipients still pending: address -> JSON. */
  last(id: string): string
  /** Recipients whose end of data may be on its way: address -> attempt number. */
  inflight(id: string): string
  /** Transaction start times of a limiter scope ('all' or 'd:<domain>'): a sorted set. */
  limit(scope: string): string
  /** The slow-down of a limiter scope: a hash { cap, at }. */
  slow(scope: string): string
}

/** The keys of queue `name` under `prefix`. */
export function queueKeys(prefix: string, name: string): QueueKeys {
  const base = `${prefix}:${name}`
  const mail = `${base}:mail`
  return {
    lock: (id) => `${base}:${id}:lock`,
    raw: (id) => `${mail}:${id}:raw`,
    meta: (id) => `${mail}:${id}:meta`,
    settled: (id) => `${mail}:${id}:settled`,
    last: (id) => `${mail}:${id}:last`,
    inflight: (id) => `${mail}:${id}:inflight`,
    limit: (scope) => `${mail}:limit:${scope}`,
    slow: (scope) => `${mail}:slow:${scope}`,
  }
}

/** The limiter scope of a recipient's domain (lower case; the part after the last '@'). */
export function domainScope(address: string): string {
  return `d:${address.slice(address.lastIndexOf('@') + 1).toLowerCase()}`
}

/** The scope of every transaction of the queue. */
export const ALL = 'all'
