-- One account's budget, shared by every process that uses this Redis.
-- The same algorithm as the in-process limiter (limiter/local.rs): a sliding window per
-- dimension over the server's window (plus the configured guard), and GCRA pacing on top; all times come
-- from Redis's own clock (TIME, microseconds), so hosts with skewed clocks still agree.
--
-- KEYS[1] log   : sorted set, admission id -> admission time (us)
-- KEYS[2] units : hash, admission id -> records reserved (later: served)
-- KEYS[3] pace  : hash, "req" / "rec" -> theoretical arrival time (us)
-- KEYS[4] ids   : counter of admission ids
--
-- ARGV[1] op: "admit" | "settle" | "release"
--
-- admit   ARGV: 2 request limit, 3 record limit, 4 span us, 5 records,
--               6 request interval us, 7 request burst, 8 record interval us, 9 record burst,
--               10 fewer records accepted (0: none), 11 round trip us
--         returns {1, id, records granted} when admitted, {0, wait us} otherwise
--         With ARGV 10 > 0, a request that must wait at least a round trip for all its records
--         may go now with fewer (at least ARGV 10), as LocalBudget::room in
--         limiter/store/local.rs decides.
-- settle  ARGV: 2 id, 3 reserved, 4 actual, 5 record interval us, 6 span us
-- release ARGV: 2 id, 3 reserved, 4 request interval us, 5 record interval us, 6 span us

local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local op = ARGV[1]

local function keep(span)
  local ms = math.ceil(span / 1000) * 2 + 1000
  for i = 1, 4 do redis.call('PEXPIRE', KEYS[i], ms) end
end

local function pace_back(field, amount)
  local tat = tonumber(redis.call('HGET', KEYS[3], field) or now)
  local back = tat - amount
  if back < now then back = now end
  redis.call('HSET', KEYS[3], field, back)
end

if op == 'admit' then
  local req_limit = tonumber(ARGV[2])
  local rec_limit = tonumber(ARGV[3])
  local span = tonumber(ARGV[4])
  local records = math.min(tonumber(ARGV[5]), rec_limit)
  local req_interval = tonumber(ARGV[6])
  local req_burst = tonumber(ARGV[7])
  local rec_interval = tonumber(ARGV[8])
  local rec_burst = tonumber(ARGV[9])

  -- Forget what left the window.
  local cutoff = now - span
  local old = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', cutoff)
  if #old > 0 then
    redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', cutoff)
    for i = 1, #old, 1000 do
      redis.call('HDEL', KEYS[2], unpack(old, i, math.min(i + 999, #old)))
    end
  end

  local entries = redis.call('ZRANGE', KEYS[1], 0, -1, 'WITHSCORES')
  local count = #entries / 2
  local ids, at, units = {}, {}, {}
  for i = 1, count do
    ids[i] = entries[2 * i - 1]
    at[i] = tonumber(entries[2 * i])
  end
  local sum = 0
  if count > 0 then
    local values = redis.call('HMGET', KEYS[2], unpack(ids))
    for i = 1, count do
      units[i] = tonumber(values[i] or 0)
      sum = sum + units[i]
    end
  end

  local req_tat = tonumber(redis.call('HGET', KEYS[3], 'req') or now)
  local rec_tat = tonumber(redis.call('HGET', KEYS[3], 'rec') or now)

  -- The earliest time one request for `want` records fits, with an extra reservation of
  -- `extra` records made now (0: none).
  local function earliest_for(want, extra)
    local n = count
    local t, u = {}, {}
    for i = 1, count do t[i] = at[i]; u[i] = units[i] end
    local total = sum
    local rtat, ctat = req_tat, rec_tat
    if extra > 0 then
      n = n + 1
      t[n] = now
      u[n] = extra
      total = total + extra
      rtat = math.max(req_tat, now) + req_interval
      ctat = math.max(rec_tat, now) + rec_interval * extra
    end
    local e = now
    -- Requests: the oldest entries must leave until one more fits.
    if n + 1 > req_limit then
      e = math.max(e, t[n + 1 - req_limit] + span)
    end
    -- Records: likewise by units.
    if total + want > rec_limit then
      local freed = 0
      local found = false
      for i = 1, n do
        freed = freed + u[i]
        if total - freed + want <= rec_limit then
          e = math.max(e, t[i] + span)
          found = true
          break
        end
      end
      if not found and n > 0 then e = math.max(e, t[n] + span) end
    end
    -- Pacing.
    e = math.max(e, rtat - req_interval * (req_burst - 1))
    e = math.max(e, ctat - rec_interval * (rec_burst - math.min(want, rec_burst)))
    return e
  end

  local earliest = earliest_for(records, 0)
  local granted = records
  if earliest > now then
    local min = tonumber(ARGV[10] or 0)
    local round_trip = tonumber(ARGV[11] or 0)
    if min == 0 then
      return {0, earliest - now}
    end
    -- Fewer records now (as LocalBudget::room in limiter/store/local.rs): what is free now,
    -- when the wait is at least a round trip, a request fits now, and taking them postpones
    -- the whole count by less than their own time at the full rate.
    local room = math.min(rec_limit - sum,
      math.floor((now + rec_interval * rec_burst - rec_tat) / rec_interval), records - 1)
    local request_now = count + 1 <= req_limit and req_tat - req_interval * (req_burst - 1) <= now
    granted = 0
    if earliest - now >= round_trip and request_now and room >= min then
      if earliest_for(records, room) - earliest < rec_interval * room then granted = room end
    end
    if granted == 0 then
      -- Room for fewer may open when the oldest reservation leaves.
      local wake = earliest
      if count > 0 then wake = math.min(wake, at[1] + span) end
      return {0, math.max(wake - now, 1)}
    end
  end
  local id = redis.call('INCR', KEYS[4])
  redis.call('ZADD', KEYS[1], now, id)
  redis.call('HSET', KEYS[2], id, granted)
  redis.call('HSET', KEYS[3], 'req', math.max(req_tat, now) + req_interval)
  redis.call('HSET', KEYS[3], 'rec', math.max(rec_tat, now) + rec_interval * granted)
  keep(span)
  return {1, id, granted}
elseif op == 'settle' then
  local id = ARGV[2]
  local reserved = tonumber(ARGV[3])
  local actual = tonumber(ARGV[4])
  local rec_interval = tonumber(ARGV[5])
  if redis.call('ZSCORE', KEYS[1], id) then
    redis.call('HSET', KEYS[2], id, actual)
  end
  if actual >= reserved then
    local tat = tonumber(redis.call('HGET', KEYS[3], 'rec') or now)
    redis.call('HSET', KEYS[3], 'rec', math.max(tat, now) + rec_interval * (actual - reserved))
  else
    pace_back('rec', rec_interval * (reserved - actual))
  end
  keep(tonumber(ARGV[6]))
  return 1
elseif op == 'release' then
  local id = ARGV[2]
  local reserved = tonumber(ARGV[3])
  redis.call('ZREM', KEYS[1], id)
  redis.call('HDEL', KEYS[2], id)
  pace_back('req', tonumber(ARGV[4]))
  pace_back('rec', tonumber(ARGV[5]) * reserved)
  keep(tonumber(ARGV[6]))
  return 1
end
return redis.error_reply('unknown limiter operation')
