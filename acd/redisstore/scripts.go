package redisstore

import "github.com/redis/go-redis/v9"

// The Lua scripts. Each one checks that what Go read is still there and
// writes only then; a script runs atomically, so check and write are one
// step for every other client. Replies are arrays whose first element is a
// status word, never a bare nil (which go-redis would turn into redis.Nil).

// luaUnqueue takes a waiting call out of the zset, the calls hash and its
// queue's count. rec is the call's record from the calls hash.
const luaUnqueue = `
local function unqueue(waiting, calls, qlen, id, rec)
  local r = cjson.decode(rec)
  redis.call('ZREM', waiting, r.k)
  redis.call('HDEL', calls, id)
  if redis.call('HINCRBY', qlen, r.c.queue, -1) <= 0 then
    redis.call('HDEL', qlen, r.c.queue)
  end
end
`

// enqueueScript adds a call unless it already waits; unless requeueing, it
// first checks the queue's length against maxLen (> 0).
//
//	KEYS: waiting, calls, qlen, lease
//	ARGV: id, order key, queue, record, maxLen, requeue ("1"/"0"), incarnation, lease ms
//	reply: {"ok"} | {"dup"} | {"full", n}
var enqueueScript = redis.NewScript(`
if redis.call('HEXISTS', KEYS[2], ARGV[1]) == 1 then
  if ARGV[6] == '1' then return {'ok'} end
  return {'dup'}
end
local max = tonumber(ARGV[5])
if ARGV[6] ~= '1' and max > 0 then
  local n = tonumber(redis.call('HGET', KEYS[3], ARGV[3]) or '0')
  if n >= max then return {'full', tostring(n)} end
end
redis.call('ZADD', KEYS[1], 0, ARGV[2])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[4])
redis.call('HINCRBY', KEYS[3], ARGV[3], 1)
redis.call('SET', KEYS[4], ARGV[7], 'PX', ARGV[8])
return {'ok'}
`)

// removeScript takes a waiting call out.
//
//	KEYS: waiting, calls, qlen
//	ARGV: id
//	reply: {"ok", record} | {"notwaiting"}
var removeScript = redis.NewScript(luaUnqueue + `
local rec = redis.call('HGET', KEYS[2], ARGV[1])
if not rec then return {'notwaiting'} end
unqueue(KEYS[1], KEYS[2], KEYS[3], ARGV[1], rec)
return {'ok', rec}
`)

// waitingScript returns the records of every waiting call in serving order.
//
//	KEYS: waiting, calls
//	reply: {record, ...} ("" for a member without record, which never happens)
var waitingScript = redis.NewScript(`
local ms = redis.call('ZRANGE', KEYS[1], 0, -1)
local out = {}
for i, m in ipairs(ms) do
  out[i] = redis.call('HGET', KEYS[2], string.sub(m, ` + orderIDStart + `)) or ''
end
return out
`)

// claimScript takes the call and reserves the agents Go found Available.
// Go passes, for every agent listed, the JSON it read and the Ringing JSON
// it computed with agents.Agent.Apply(Offer) ("" if the agent was not
// free). If any listed agent changed since the read the script writes
// nothing and replies "stale": Go reads again.
//
//	KEYS: waiting, calls, qlen, agents, owner, lease
//	ARGV: call id, incarnation, lease ms, then per agent: id, JSON read ("" = absent), Ringing JSON or ""
//	reply: {"ok", record, claimed id...} | {"notwaiting"} | {"stale"} | {"none"}
var claimScript = redis.NewScript(luaUnqueue + `
local rec = redis.call('HGET', KEYS[2], ARGV[1])
if not rec then return {'notwaiting'} end
for i = 4, #ARGV, 3 do
  if (redis.call('HGET', KEYS[4], ARGV[i]) or '') ~= ARGV[i+1] then return {'stale'} end
end
local out = {'ok', rec}
for i = 4, #ARGV, 3 do
  if ARGV[i+2] ~= '' then
    redis.call('HSET', KEYS[4], ARGV[i], ARGV[i+2])
    redis.call('HSET', KEYS[5], ARGV[i], ARGV[2])
    out[#out+1] = ARGV[i]
  end
end
if #out == 2 then return {'none'} end
unqueue(KEYS[1], KEYS[2], KEYS[3], ARGV[1], rec)
redis.call('SET', KEYS[6], ARGV[2], 'PX', ARGV[3])
return out
`)

// casAgentScript replaces an agent (and its owner) if both are still what
// Go read. An empty next owner releases the agent; when this incarnation
// becomes or stays the owner its lease is renewed.
//
//	KEYS: agents, owner, lease
//	ARGV: id, JSON read ("" = absent), next JSON, owner read, next owner, incarnation, lease ms
//	reply: {"ok"} | {"stale"}
var casAgentScript = redis.NewScript(`
if (redis.call('HGET', KEYS[1], ARGV[1]) or '') ~= ARGV[2] then return {'stale'} end
if (redis.call('HGET', KEYS[2], ARGV[1]) or '') ~= ARGV[4] then return {'stale'} end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
if ARGV[5] == '' then
  redis.call('HDEL', KEYS[2], ARGV[1])
elseif ARGV[5] ~= ARGV[4] then
  redis.call('HSET', KEYS[2], ARGV[1], ARGV[5])
end
if ARGV[5] == ARGV[6] then
  redis.call('SET', KEYS[3], ARGV[6], 'PX', ARGV[7])
end
return {'ok'}
`)

// reapAgentScript frees an agent held by a dead incarnation: only if that
// incarnation's lease is still gone, it still owns the agent and the agent
// is still what Go read.
//
//	KEYS: agents, owner, dead lease
//	ARGV: id, JSON read, freed JSON, dead incarnation
//	reply: {"ok"} | {"stale"}
var reapAgentScript = redis.NewScript(`
if redis.call('EXISTS', KEYS[3]) == 1 then return {'stale'} end
if redis.call('HGET', KEYS[2], ARGV[1]) ~= ARGV[4] then return {'stale'} end
if (redis.call('HGET', KEYS[1], ARGV[1]) or '') ~= ARGV[2] then return {'stale'} end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
redis.call('HDEL', KEYS[2], ARGV[1])
return {'ok'}
`)

// reapCallScript drops a waiting call whose owner's lease is gone.
//
//	KEYS: waiting, calls, qlen, dead lease
//	ARGV: id, record read
//	reply: {"ok"} | {"stale"}
var reapCallScript = redis.NewScript(luaUnqueue + `
if redis.call('EXISTS', KEYS[4]) == 1 then return {'stale'} end
if redis.call('HGET', KEYS[2], ARGV[1]) ~= ARGV[2] then return {'stale'} end
unqueue(KEYS[1], KEYS[2], KEYS[3], ARGV[1], ARGV[2])
return {'ok'}
`)

// pruneScript deletes hash fields whose value is still the one read, so a
// binding refreshed meanwhile by another node survives the pruning.
//
//	KEYS: hash
//	ARGV: field, value read, field, value read, ...
//	reply: {"ok", deleted}
var pruneScript = redis.NewScript(`
local n = 0
for i = 1, #ARGV, 2 do
  if redis.call('HGET', KEYS[1], ARGV[i]) == ARGV[i+1] then
    n = n + redis.call('HDEL', KEYS[1], ARGV[i])
  end
end
return {'ok', tostring(n)}
`)
