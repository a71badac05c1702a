import type { Redis } from 'ioredis'

// Every Lua script of the queue. Each runs atomically in Redis; times come from Redis's own
// clock (TIME), so workers on machines with different clocks share one sliding window.

const NOW = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`

/**
 * How long a transaction may stay unconfirmed in a limiter (its worker took a slot but has not
 * said yet when it reached the server): after this, a crashed worker's slot is freed.
 */
export const UNCONFIRMED_MS = 30_000
/** How soon to look again when the only way to room is an unconfirmed transaction. */
const UNCONFIRMED_POLL_MS = 20

/**
 * All-or-nothing acquire of one transaction over several limiter scopes; on success the job's
 * attempt count goes up by one in the same step. The transaction enters each scope unconfirmed
 * (scored in the future, so it cannot leave a window) until {@link CONFIRM} scores it with the
 * moment it had surely reached the server: every window then holds as the server sees it,
 * however long the transaction took to start.
 * KEYS: the scopes' sorted sets (n), then their slow-down hashes (n), then the job's meta hash.
 * ARGV[1]: a unique member; ARGV[2i], ARGV[2i+1]: scope i's limit (0: none) and window in ms.
 * Returns {0, attempt} when every scope had room (the transaction is then counted in each),
 * else {milliseconds until the fullest scope may have room, 0}.
 */
const ACQUIRE = `${NOW}
local n = (#KEYS - 1) / 2
local wait = 0
for i = 1, n do
  local limit = tonumber(ARGV[2 * i])
  local window = tonumber(ARGV[2 * i + 1])
  redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', now - window)
  local cap = tonumber(redis.call('HGET', KEYS[n + i], 'cap'))
  if cap ~= nil and (limit == 0 or cap < limit) then limit = cap end
  if limit > 0 then
    local count = redis.call('ZCARD', KEYS[i])
    if count >= limit then
      local edge = tonumber(redis.call('ZRANGE', KEYS[i], count - limit, count - limit, 'WITHSCORES')[2])
      local w = ${UNCONFIRMED_POLL_MS}
      if edge <= now then w = edge + window - now end
      if w > wait then wait = w end
    end
  end
end
if wait > 0 then return {wait, 0} end
for i = 1, n do
  redis.call('ZADD', KEYS[i], now + ${UNCONFIRMED_MS}, ARGV[1])
  redis.call('PEXPIRE', KEYS[i], ${UNCONFIRMED_MS} + tonumber(ARGV[2 * i + 1]))
end
return {0, redis.call('HINCRBY', KEYS[#KEYS], 'attempts', 1)}`

/** Lua: scores the transaction ARGV[member] now in the limiter sets KEYS[from..] (once: LT). */
const confirmIn = (from: number, member: string) => `${NOW}
for i = ${from}, #KEYS do redis.call('ZADD', KEYS[i], 'XX', 'LT', now, ${member}) end`

/**
 * Confirms a transaction in its limiter sets: it reached the server by now (it ended, or failed,
 * without reaching the end of its data). KEYS: the sets. ARGV[1]: the member.
 */
const CONFIRM = `${confirmIn(1, 'ARGV[1]')}
return 1`

/**
 * A slow-down of one scope: its allowed transactions per window are halved (from its limit, or
 * from what it sent in the last window when it has none, or from the current slow-down), at
 * most once per window however many workers report it, and the slow-down lasts ARGV[3] ms.
 * KEYS[1]: the slow-down hash; KEYS[2]: the scope's sorted set.
 * ARGV[1]: the scope's limit (0: none); ARGV[2]: its window; ARGV[3]: how long it lasts.
 * Returns the new (or unchanged) cap.
 */
const SLOW_DOWN = `${NOW}
local window = tonumber(ARGV[2])
local cap = tonumber(redis.call('HGET', KEYS[1], 'cap'))
local at = tonumber(redis.call('HGET', KEYS[1], 'at'))
if cap ~= nil and at ~= nil and now - at < window then return cap end
if cap == nil then
  local limit = tonumber(ARGV[1])
  local seen = redis.call('ZCOUNT', KEYS[2], '(' .. (now - window), '+inf')
  if limit > 0 then cap = limit else cap = math.max(seen, 1) end
end
cap = math.max(1, math.floor(cap / 2))
redis.call('HSET', KEYS[1], 'cap', cap, 'at', now)
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return cap`

/**
 * Marks recipients in flight just before the end of the data, only while this worker still
 * holds the job's lock (else another worker owns the job: returns 0 and nothing is marked).
 * The transaction is confirmed in its limiter sets (see ACQUIRE): it reached the server by now.
 * KEYS[1]: the job's lock; KEYS[2]: its in-flight hash; KEYS[3..]: the limiter scopes' sets.
 * ARGV[1]: the token; ARGV[2]: the attempt; ARGV[3]: the limiter member; ARGV[4..]: addresses.
 */
const MARK_IN_FLIGHT = `if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
for i = 4, #ARGV do redis.call('HSET', KEYS[2], ARGV[i], ARGV[2]) end
${confirmIn(3, 'ARGV[3]')}
return 1`

/**
 * The start of a job's run. A job taken up again: every recipient still marked in flight without
 * a recorded outcome is settled as unknown (its end of data may have reached the server), never
 * resent. Returns the message's bytes (false when gone), then the settled recipients as
 * address, outcome pairs.
 * KEYS[1]: in-flight hash; KEYS[2]: settled hash; KEYS[3]: last-refusal hash; KEYS[4]: raw.
 * ARGV[1]: the settled value for an unknown recipient.
 */
const BEGIN = `for _, address in ipairs(redis.call('HKEYS', KEYS[1])) do
  redis.call('HSETNX', KEYS[2], address, ARGV[1])
  redis.call('HDEL', KEYS[3], address)
end
redis.call('DEL', KEYS[1])
local out = redis.call('HGETALL', KEYS[2])
table.insert(out, 1, redis.call('GET', KEYS[4]))
return out`

/**
 * Writes one transaction's outcomes at once: settled recipients, the last transient refusal of
 * the others, nothing in flight; the bytes are dropped once no recipient is left for a retry.
 * KEYS[1]: settled hash; KEYS[2]: last-refusal hash; KEYS[3]: meta; KEYS[4]: in-flight; KEYS[5]: raw.
 * ARGV[1]: 1 when the transaction started (else it is not an attempt); ARGV[2]: the error ('' for
 * none); ARGV[3]: n, the number of settled recipients; then n address, outcome pairs; then the
 * transient ones' pairs. Returns the failures so far that left recipients for a retry (0: none left).
 */
const RECORD = `local n = tonumber(ARGV[3])
for i = 0, n - 1 do
  redis.call('HSET', KEYS[1], ARGV[4 + 2 * i], ARGV[5 + 2 * i])
  redis.call('HDEL', KEYS[2], ARGV[4 + 2 * i])
end
local transient = 0
for i = 4 + 2 * n, #ARGV, 2 do
  redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 1])
  transient = transient + 1
end
if ARGV[1] == '0' then redis.call('HINCRBY', KEYS[3], 'attempts', -1) end
if ARGV[2] ~= '' then redis.call('HSET', KEYS[3], 'error', ARGV[2]) end
redis.call('DEL', KEYS[4])
if transient == 0 then
  redis.call('DEL', KEYS[5])
  return 0
end
return redis.call('HINCRBY', KEYS[3], 'tries', 1)`

/**
 * Stores a new message unless its job id is taken (an idempotency key used before).
 * KEYS[1]: meta hash; KEYS[2]: raw. ARGV[1]: Message-ID; ARGV[2]: the bytes.
 * Returns 1 when stored, 0 when the id existed (nothing is written).
 */
const STORE = `if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'messageId', ARGV[1], 'attempts', 0)
redis.call('SET', KEYS[2], ARGV[2])
return 1`

/** The scripts as typed calls on one connection. */
export interface Scripts {
  acquire(
    keys: string[],
    meta: string,
    member: string,
    limits: [number, number][],
  ): Promise<{ wait: number; attempt: number }>
  slowDown(slow: string, zset: string, limit: number, window: number, ms: number): Promise<number>
  markInFlight(
    job: { lock: string; inflight: string; token: string; attempt: number },
    slot: { zsets: string[]; member: string },
    addresses: string[],
  ): Promise<boolean>
  begin(
    job: { inflight: string; settled: string; last: string; raw: string },
    unknown: string,
  ): Promise<{ raw: Buffer | null; settled: Map<string, string> }>
  store(meta: string, raw: string, messageId: string, bytes: Buffer): Promise<boolean>
  confirm(slot: { zsets: string[]; member: string }): Promise<void>
  record(
    job: { settled: string; last: string; meta: string; inflight: string; raw: string },
    outcome: {
      started: boolean
      error: string | undefined
      settled: Map<string, string>
      transient: Map<string, string>
    },
  ): Promise<number>
}

type Run = (...args: (string | number | Buffer)[]) => Promise<unknown>

/** Registers the scripts on `redis` (EVALSHA, loaded once per connection). */
export function scripts(redis: Redis): Scripts {
  /** The script as a command; `binary` replies with Buffers instead of strings. */
  const define = (name: string, lua: string, binary = false): Run => {
    redis.defineCommand(name, { lua })
    const command = (redis as unknown as Record<string, Run>)[binary ? `${name}Buffer` : name]!
    return command.bind(redis)
  }
  const acquire = define('mailAcquire', ACQUIRE)
  const slowDown = define('mailSlowDown', SLOW_DOWN)
  const mark = define('mailMarkInFlight', MARK_IN_FLIGHT)
  const begin = define('mailBegin', BEGIN, true)
  const store = define('mailStore', STORE)
  const record = define('mailRecord', RECORD)
  const confirm = define('mailConfirm', CONFIRM)
  return {
    async acquire(keys, meta, member, limits) {
      const all = [...keys, meta]
      const [wait, attempt] = (await acquire(
        all.length,
        ...all,
        member,
        ...limits.flat(),
      )) as number[]
      return { wait: wait!, attempt: attempt! }
    },
    async slowDown(slow, zset, limit, window, ms) {
      return Number(await slowDown(2, slow, zset, limit, window, ms))
    },
    async markInFlight({ lock, inflight, token, attempt }, { zsets, member }, addresses) {
      const keys = [lock, inflight, ...zsets]
      return (await mark(keys.length, ...keys, token, attempt, member, ...addresses)) === 1
    },
    async begin({ inflight, settled, last, raw }, unknown) {
      const [bytes, ...pairs] = (await begin(
        4,
        inflight,
        settled,
        last,
        raw,
        unknown,
      )) as (Buffer | null)[]
      const map = new Map<string, string>()
      for (let i = 0; i + 1 < pairs.length; i += 2) map.set(String(pairs[i]), String(pairs[i + 1]))
      return { raw: bytes === undefined || bytes === null ? null : bytes, settled: map }
    },
    async store(meta, raw, messageId, bytes) {
      return (await store(2, meta, raw, messageId, bytes)) === 1
    },
    async confirm({ zsets, member }) {
      await confirm(zsets.length, ...zsets, member)
    },
    async record(job, { started, error, settled, transient }) {
      const pairs = [...settled, ...transient].flat()
      const keys = [job.settled, job.last, job.meta, job.inflight, job.raw]
      return Number(
        await record(keys.length, ...keys, started ? 1 : 0, error ?? '', settled.size, ...pairs),
      )
    },
  }
}
