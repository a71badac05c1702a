import type { Redis } from 'ioredis'

// Every Lua script of the queue. Each runs atomically in Redis; times come from Redis's own
// clock (TIME), so workers on machines with different clocks share one sliding window.

const NOW = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`

/**
 * All-or-nothing acquire of one transaction over several limiter scopes.
 * KEYS: the scopes' sorted sets (n), then their slow-down hashes (n).
 * ARGV[1]: a unique member; ARGV[2i], ARGV[2i+1]: scope i's limit (0: none) and window in ms.
 * Returns 0 when every scope had room (the transaction is then counted in each), else the
 * milliseconds until the fullest scope has room.
 */
const ACQUIRE = `${NOW}
local n = #KEYS / 2
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
      local edge = redis.call('ZRANGE', KEYS[i], count - limit, count - limit, 'WITHSCORES')
      local w = tonumber(edge[2]) + window - now
      if w > wait then wait = w end
    end
  end
end
if wait > 0 then return wait end
for i = 1, n do
  redis.call('ZADD', KEYS[i], now, ARGV[1])
  redis.call('PEXPIRE', KEYS[i], ARGV[2 * i + 1])
end
return 0`

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
 * The transaction's limiter entries move to this moment: it reached the server between its
 * slot and now, so counting it from now keeps every window as the server sees it.
 * KEYS[1]: the job's lock; KEYS[2]: its in-flight hash; KEYS[3..]: the limiter scopes' sets.
 * ARGV[1]: the token; ARGV[2]: the attempt; ARGV[3]: the limiter member; ARGV[4..]: addresses.
 */
const MARK_IN_FLIGHT = `if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
for i = 4, #ARGV do redis.call('HSET', KEYS[2], ARGV[i], ARGV[2]) end
${NOW}
for i = 3, #KEYS do redis.call('ZADD', KEYS[i], 'XX', now, ARGV[3]) end
return 1`

/**
 * A job taken up again: every recipient still marked in flight without a recorded outcome is
 * settled as unknown (its end of data may have reached the server), never resent.
 * KEYS[1]: in-flight hash; KEYS[2]: settled hash; KEYS[3]: last-refusal hash.
 * ARGV[1]: the settled value for an unknown recipient. Returns how many became unknown.
 */
const RECOVER = `local marked = redis.call('HKEYS', KEYS[1])
local count = 0
for _, address in ipairs(marked) do
  count = count + redis.call('HSETNX', KEYS[2], address, ARGV[1])
  redis.call('HDEL', KEYS[3], address)
end
redis.call('DEL', KEYS[1])
return count`

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
  acquire(keys: string[], member: string, limits: [number, number][]): Promise<number>
  slowDown(slow: string, zset: string, limit: number, window: number, ms: number): Promise<number>
  markInFlight(
    job: { lock: string; inflight: string; token: string; attempt: number },
    slot: { zsets: string[]; member: string },
    addresses: string[],
  ): Promise<boolean>
  recover(inflight: string, settled: string, last: string, unknown: string): Promise<number>
  store(meta: string, raw: string, messageId: string, bytes: Buffer): Promise<boolean>
}

type Run = (...args: (string | number | Buffer)[]) => Promise<unknown>

/** Registers the scripts on `redis` (EVALSHA, loaded once per connection). */
export function scripts(redis: Redis): Scripts {
  const define = (name: string, lua: string): Run => {
    redis.defineCommand(name, { lua })
    const command = (redis as unknown as Record<string, Run>)[name]!
    return command.bind(redis)
  }
  const acquire = define('mailAcquire', ACQUIRE)
  const slowDown = define('mailSlowDown', SLOW_DOWN)
  const mark = define('mailMarkInFlight', MARK_IN_FLIGHT)
  const recover = define('mailRecover', RECOVER)
  const store = define('mailStore', STORE)
  return {
    async acquire(keys, member, limits) {
      return Number(await acquire(keys.length, ...keys, member, ...limits.flat()))
    },
    async slowDown(slow, zset, limit, window, ms) {
      return Number(await slowDown(2, slow, zset, limit, window, ms))
    },
    async markInFlight({ lock, inflight, token, attempt }, { zsets, member }, addresses) {
      const keys = [lock, inflight, ...zsets]
      return (await mark(keys.length, ...keys, token, attempt, member, ...addresses)) === 1
    },
    async recover(inflight, settled, last, unknown) {
      return Number(await recover(3, inflight, settled, last, unknown))
    },
    async store(meta, raw, messageId, bytes) {
      return (await store(2, meta, raw, messageId, bytes)) === 1
    },
  }
}
