import type { Redis, Result } from "ioredis";

/*
 * The rider index's Lua scripts. Each runs atomically in Redis (no other command interleaves), which
 * is what makes "claim the nearest free rider" a single step across replicas. Time comes from Redis
 * (TIME), so every replica judges freshness by one clock.
 *
 * Keys (all with the hash tag {rider}, so they live in one cluster slot):
 *   geo   GEO set of every rider's last position (what Nearby searches)
 *   free  GEO set of the riders who can take an order now: available and carrying none
 *   seen  sorted set rider → time of the last location update (ms)
 *   off   set of riders whose last update said available=false
 *   busy  hash rider → the order they carry
 *   order hash per order: rider, km, and released=1 once released (then kept for the retention)
 * Invariant: a rider in `free` is in neither `off` nor `busy`; only `assign` and `hold` take a rider
 * out of `free` into `busy`, so a rider can never be claimed twice. An active order whose rider is
 * busy with another order lost them to `hold`; its next `assign` claims someone afresh.
 */

const NOW_MS = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
`;

/** KEYS geo free seen off busy; ARGV rider lon lat available(1|0) maxAgeMs pruneBatch. */
const UPDATE = `${NOW_MS}
local rider = ARGV[1]
redis.call('GEOADD', KEYS[1], ARGV[2], ARGV[3], rider)
redis.call('ZADD', KEYS[3], now, rider)
if ARGV[4] == '1' then
  redis.call('SREM', KEYS[4], rider)
  -- a rider carrying an order stays busy whatever they say, until the order is released
  if redis.call('HEXISTS', KEYS[5], rider) == 0 then
    redis.call('ZADD', KEYS[2], redis.call('ZSCORE', KEYS[1], rider), rider)
  end
else
  redis.call('SADD', KEYS[4], rider)
  redis.call('ZREM', KEYS[2], rider)
end
-- riders who stopped reporting leave the index, a few per update, so searches do not wade
-- through them; a busy one stays in busy and comes back with their next update
local stale = redis.call('ZRANGE', KEYS[3], '-inf', '(' .. (now - tonumber(ARGV[5])), 'BYSCORE', 'LIMIT', 0, tonumber(ARGV[6]))
for _, id in ipairs(stale) do
  redis.call('ZREM', KEYS[1], id)
  redis.call('ZREM', KEYS[2], id)
  redis.call('ZREM', KEYS[3], id)
  redis.call('SREM', KEYS[4], id)
end
return 1
`;

/**
 * Searches nearest-first in growing batches until \`want\` fresh riders are found or the radius is
 * exhausted; \`onStale\` may drop a stale hit from the searched set.
 */
const NEAREST_FRESH = `${NOW_MS}
local function nearest_fresh(geo, seen, lon, lat, km, maxAge, want, onStale)
  local oldest = now - maxAge
  local count = math.max(want * 2, 8)
  while true do
    local hits = redis.call('GEOSEARCH', geo, 'FROMLONLAT', lon, lat, 'BYRADIUS', km, 'km', 'ASC', 'COUNT', count, 'WITHDIST')
    local fresh = {}
    for _, hit in ipairs(hits) do
      local at = tonumber(redis.call('ZSCORE', seen, hit[1]))
      if at and at >= oldest then
        fresh[#fresh + 1] = hit
        if #fresh == want then return fresh end
      elseif onStale then
        onStale(hit[1])
      end
    end
    if #hits < count then return fresh end
    count = count * 4
  end
end
`;

/** KEYS geo seen; ARGV lon lat radiusKm limit maxAgeMs → [[rider, km], …] nearest first. */
const NEARBY = `${NEAREST_FRESH}
return nearest_fresh(KEYS[1], KEYS[2], ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[5]), tonumber(ARGV[4]), nil)
`;

/** KEYS free seen busy order; ARGV orderId lon lat radiusKm maxAgeMs → [rider, km] or nil. */
const ASSIGN = `
local prior = redis.call('HMGET', KEYS[4], 'rider', 'km', 'released')
if prior[1] and (prior[3] or redis.call('HGET', KEYS[3], prior[1]) == ARGV[1]) then return { prior[1], prior[2] } end
${NEAREST_FRESH}
local function drop(id) redis.call('ZREM', KEYS[1], id) end
local found = nearest_fresh(KEYS[1], KEYS[2], ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5]), 1, drop)
local hit = found[1]
if not hit then return nil end
redis.call('ZREM', KEYS[1], hit[1])
redis.call('HSET', KEYS[3], hit[1], ARGV[1])
redis.call('HSET', KEYS[4], 'rider', hit[1], 'km', hit[2])
return hit
`;

/**
 * KEYS order busy free geo off; ARGV orderId retentionMs riderId('' for none) → 1 when the order's
 * rider is free of it (released now or before), 0 when nothing could be released.
 */
const RELEASE = `
local a = redis.call('HMGET', KEYS[1], 'rider', 'released')
if a[2] then return 1 end
if not a[1] then
  -- unknown here (never assigned, forgotten, or expired): this order holds nobody, whatever the rider
  -- named carries now; without a rider named it cannot be told from a lost one
  if ARGV[3] == '' then return 0 end
  redis.call('HSET', KEYS[1], 'rider', ARGV[3], 'km', '0', 'released', '1')
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
local rider = a[1]
redis.call('HSET', KEYS[1], 'released', '1')
redis.call('PEXPIRE', KEYS[1], ARGV[2])
if redis.call('HGET', KEYS[2], rider) == ARGV[1] then
  redis.call('HDEL', KEYS[2], rider)
  -- free again at the last known position, unless they said they are off or have left the index
  local at = redis.call('ZSCORE', KEYS[4], rider)
  if at and redis.call('SISMEMBER', KEYS[5], rider) == 0 then
    redis.call('ZADD', KEYS[3], at, rider)
  end
end
return 1
`;

/**
 * KEYS order busy free; ARGV orderId rider → 1 when the assignment was recorded now, 0 when the order
 * is known (active or released). Any order the rider carried loses them (see ASSIGN).
 */
const HOLD = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[2], ARGV[2], ARGV[1])
redis.call('ZREM', KEYS[3], ARGV[2])
redis.call('HSET', KEYS[1], 'rider', ARGV[2], 'km', '0')
return 1
`;

/**
 * KEYS geo seen off busy; ARGV maxAgeMs limit → [[rider, lon, lat, seenAtMs, off(0|1), order or ''], …],
 * most recently seen first.
 */
const LIST = `${NOW_MS}
local seen = redis.call('ZRANGE', KEYS[2], '+inf', now - tonumber(ARGV[1]), 'BYSCORE', 'REV', 'LIMIT', 0, tonumber(ARGV[2]), 'WITHSCORES')
local out = {}
for i = 1, #seen, 2 do
  local rider = seen[i]
  local at = redis.call('GEOPOS', KEYS[1], rider)[1]
  if at then
    out[#out + 1] = { rider, at[1], at[2], seen[i + 1], redis.call('SISMEMBER', KEYS[3], rider), redis.call('HGET', KEYS[4], rider) or '' }
  end
end
return out
`;

type Arg = string | number;

// ioredis adds a method per defineCommand at run time; this tells TypeScript about them.
declare module "ioredis" {
  interface RedisCommander<Context> {
    riderUpdate(
      geo: string,
      free: string,
      seen: string,
      off: string,
      busy: string,
      ...argv: Arg[]
    ): Result<number, Context>;
    riderNearby(geo: string, seen: string, ...argv: Arg[]): Result<[string, string][], Context>;
    riderList(
      geo: string,
      seen: string,
      off: string,
      busy: string,
      ...argv: Arg[]
    ): Result<[string, string, string, string, number, string][], Context>;
    riderAssign(
      free: string,
      seen: string,
      busy: string,
      order: string,
      ...argv: Arg[]
    ): Result<[string, string] | null, Context>;
    riderRelease(
      order: string,
      busy: string,
      free: string,
      geo: string,
      off: string,
      ...argv: Arg[]
    ): Result<number, Context>;
    riderHold(order: string, busy: string, free: string, ...argv: Arg[]): Result<number, Context>;
  }
}

/** Registers the scripts on `redis` (sent as EVALSHA, loaded on first use). */
export function defineRiderScripts(redis: Redis): void {
  redis.defineCommand("riderUpdate", { numberOfKeys: 5, lua: UPDATE });
  redis.defineCommand("riderNearby", { numberOfKeys: 2, lua: NEARBY });
  redis.defineCommand("riderList", { numberOfKeys: 4, lua: LIST });
  redis.defineCommand("riderAssign", { numberOfKeys: 4, lua: ASSIGN });
  redis.defineCommand("riderRelease", { numberOfKeys: 5, lua: RELEASE });
  redis.defineCommand("riderHold", { numberOfKeys: 3, lua: HOLD });
}
