package redisstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/sme/acd/acd"
	"github.com/sme/acd/agents"
	"github.com/sme/acd/queue"
)

// orderKey is a waiting call's member in the waiting zset. Every member has
// score 0, so Redis keeps them in byte order of the member (memcmp), and
// the member is built so that byte order is queue.Before:
//
//	PPPPPPPPPPPPPPPP.SSSSSSSSSSSSSSSS.NNNNNNNN.<call id>
//
// P is the priority as 16 hex digits, sign bit flipped (so signed order
// becomes unsigned order) and then all bits inverted (higher priority
// first); S is the arrival's Unix seconds the same way without inverting,
// N its nanoseconds. Fixed widths mean the id is compared only on a tie,
// byte by byte as Go compares strings. Nothing goes through a float64 score,
// so no priority or time loses precision (a score of priority·10¹³ − ms
// would not fit in 53 bits).
func orderKey(c queue.Call) string {
	const flip = 1 << 63
	prio := ^(uint64(int64(c.Priority)) ^ flip)
	sec := uint64(c.Arrived.Unix()) ^ flip
	return fmt.Sprintf("%016x.%016x.%08x.%s", prio, sec, c.Arrived.Nanosecond(), c.ID)
}

// orderIDStart is where the call id starts in an order key, as a 1-based
// Lua string index.
const orderIDStart = "44"

// callRecord is the value of a call in the calls hash: the call, its order
// key (so scripts can remove it from the zset) and the incarnation owning
// it. Lua reads k, o and c.queue.
type callRecord struct {
	Key   string     `json:"k"`
	Owner string     `json:"o"`
	Call  queue.Call `json:"c"`
}

func decodeRecord(raw string) (callRecord, error) {
	var r callRecord
	if err := json.Unmarshal([]byte(raw), &r); err != nil {
		return r, fmt.Errorf("decode call record: %w", err)
	}
	return r, nil
}

// Enqueue implements acd.Store.
func (s *Store) Enqueue(ctx context.Context, c queue.Call, maxLen int) error {
	if err := s.enqueue(ctx, c, maxLen, false); err != nil {
		return fmt.Errorf("enqueue %s in %s: %w", c.ID, c.Queue, err)
	}
	return nil
}

// Requeue implements acd.Store. The call is owned by this node afterwards.
func (s *Store) Requeue(ctx context.Context, c queue.Call) error {
	if err := s.enqueue(ctx, c, 0, true); err != nil {
		return fmt.Errorf("requeue %s in %s: %w", c.ID, c.Queue, err)
	}
	return nil
}

func (s *Store) enqueue(ctx context.Context, c queue.Call, maxLen int, requeue bool) error {
	if err := checkUTF8(string(c.ID), c.Queue); err != nil {
		return err
	}
	rec := callRecord{Key: orderKey(c), Owner: s.token, Call: c}
	raw, err := json.Marshal(rec)
	if err != nil {
		return fmt.Errorf("encode call: %w", err)
	}
	flag := "0"
	if requeue {
		flag = "1"
	}
	v, err := enqueueScript.Run(ctx, s.rdb, []string{s.kWaiting, s.kCalls, s.kQlen, s.kLease},
		string(c.ID), rec.Key, c.Queue, raw, maxLen, flag, s.token, s.leaseMS()).Result()
	if err != nil {
		return err
	}
	r, err := reply("enqueue", v)
	if err != nil {
		return err
	}
	switch r[0] {
	case "ok":
		return nil
	case "full":
		n := ""
		if len(r) > 1 {
			n = r[1]
		}
		return fmt.Errorf("%s waiting: %w", n, acd.ErrQueueFull)
	case "dup":
		return errors.New("call already waiting")
	}
	return fmt.Errorf("enqueue script: unexpected reply %q", r)
}

// Remove implements acd.Store.
func (s *Store) Remove(ctx context.Context, id queue.CallID) (queue.Call, error) {
	v, err := removeScript.Run(ctx, s.rdb, []string{s.kWaiting, s.kCalls, s.kQlen}, string(id)).Result()
	if err != nil {
		return queue.Call{}, fmt.Errorf("remove call %s: %w", id, err)
	}
	r, err := reply("remove", v)
	switch {
	case err != nil:
		return queue.Call{}, fmt.Errorf("remove call %s: %w", id, err)
	case r[0] == "notwaiting":
		return queue.Call{}, fmt.Errorf("remove call %s: %w", id, acd.ErrCallNotWaiting)
	case r[0] != "ok" || len(r) < 2:
		return queue.Call{}, fmt.Errorf("remove call %s: unexpected script reply %q", id, r)
	}
	rec, err := decodeRecord(r[1])
	if err != nil {
		return queue.Call{}, fmt.Errorf("remove call %s: %w", id, err)
	}
	return rec.Call, nil
}

// Waiting implements acd.Store.
func (s *Store) Waiting(ctx context.Context) ([]queue.Call, error) {
	recs, err := s.waitingRecords(ctx)
	if err != nil {
		return nil, fmt.Errorf("list waiting calls: %w", err)
	}
	out := make([]queue.Call, len(recs))
	for i, r := range recs {
		out[i] = r.Call
	}
	return out, nil
}

func (s *Store) waitingRecords(ctx context.Context) ([]callRecord, error) {
	v, err := waitingScript.Run(ctx, s.rdb, []string{s.kWaiting, s.kCalls}).Result()
	if err != nil {
		return nil, err
	}
	raws, err := replyStrings(v)
	if err != nil {
		return nil, err
	}
	out := make([]callRecord, 0, len(raws))
	for _, raw := range raws {
		if raw == "" {
			continue
		}
		r, err := decodeRecord(raw)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// Claim implements acd.Store. It reads the call and the listed agents in
// one snapshot, computes each free agent's Ringing value with the agent
// state machine, and lets claimScript write them only if none of the
// listed agents changed meanwhile; otherwise it reads again.
func (s *Store) Claim(ctx context.Context, id queue.CallID, agentIDs []string, now time.Time) (queue.Call, []string, error) {
	ids := dedup(agentIDs)
	for range maxAttempts {
		c, claimed, retry, err := s.claimOnce(ctx, id, ids, now)
		if err != nil {
			return queue.Call{}, nil, fmt.Errorf("claim call %s: %w", id, err)
		}
		if !retry {
			return c, claimed, nil
		}
	}
	return queue.Call{}, nil, fmt.Errorf("claim call %s: %w", id, ErrContention)
}

func (s *Store) claimOnce(ctx context.Context, id queue.CallID, ids []string, now time.Time) (c queue.Call, claimed []string, retry bool, err error) {
	var (
		callCmd *redis.StringCmd
		agCmd   *redis.SliceCmd
	)
	err = s.snapshot(ctx, func(p redis.Pipeliner) {
		callCmd = p.HGet(ctx, s.kCalls, string(id))
		if len(ids) > 0 {
			agCmd = p.HMGet(ctx, s.kAgents, ids...)
		}
	})
	if err != nil {
		return c, nil, false, err
	}
	rec, err := optString(callCmd)
	if err != nil {
		return c, nil, false, err
	}
	if rec == "" {
		return c, nil, false, acd.ErrCallNotWaiting
	}
	var raws []any
	if agCmd != nil {
		if raws, err = agCmd.Result(); err != nil {
			return c, nil, false, err
		}
	}
	args := []any{string(id), s.token, s.leaseMS()}
	free := 0
	for i, aid := range ids {
		raw, _ := raws[i].(string)
		next := ""
		if raw != "" {
			a, err := decodeAgent(raw)
			if err != nil {
				return c, nil, false, err
			}
			if a.State == agents.Available {
				if n, err := a.Apply(agents.Event{Kind: agents.Offer}, now); err == nil {
					b, err := json.Marshal(n)
					if err != nil {
						return c, nil, false, fmt.Errorf("encode agent %s: %w", aid, err)
					}
					next = string(b)
					free++
				}
			}
		}
		args = append(args, aid, raw, next)
	}
	if free == 0 {
		// The snapshot showed the call waiting and no listed agent free.
		return c, nil, false, acd.ErrNoAgentClaimed
	}
	v, err := claimScript.Run(ctx, s.rdb, []string{s.kWaiting, s.kCalls, s.kQlen, s.kAgents, s.kOwner, s.kLease}, args...).Result()
	if err != nil {
		return c, nil, false, err
	}
	r, err := reply("claim", v)
	if err != nil {
		return c, nil, false, err
	}
	switch r[0] {
	case "stale":
		return c, nil, true, nil
	case "notwaiting":
		return c, nil, false, acd.ErrCallNotWaiting
	case "none":
		return c, nil, false, acd.ErrNoAgentClaimed
	case "ok":
		if len(r) < 3 {
			return c, nil, false, fmt.Errorf("claim script: short reply %q", r)
		}
		rec, err := decodeRecord(r[1])
		if err != nil {
			return c, nil, false, err
		}
		return rec.Call, slices.Clone(r[2:]), false, nil
	}
	return c, nil, false, fmt.Errorf("claim script: unexpected reply %q", r)
}

// dedup drops repeated ids, keeping the first of each.
func dedup(ids []string) []string {
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		if !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}
