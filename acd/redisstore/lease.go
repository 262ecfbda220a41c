package redisstore

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/sme/acd/acd"
	"github.com/sme/acd/agents"
	"github.com/sme/acd/queue"
)

// RefreshLeases extends this node's lease by Lease from now (Redis's now).
// The node must call it well within Lease, e.g. every Lease/3, for as long
// as it holds calls; a node that stops, dies or loses Redis for longer than
// Lease has its agents freed and its waiting calls dropped by ReapExpired.
func (s *Store) RefreshLeases(ctx context.Context) error {
	if err := s.rdb.Set(ctx, s.kLease, s.token, s.lease).Err(); err != nil {
		return fmt.Errorf("refresh lease %s: %w", s.token, err)
	}
	return nil
}

// Reaped is what ReapExpired cleaned up after incarnations whose lease ran
// out: Ringing agents were cancelled, Busy ones hung up and (like WrapUp
// ones) finished wrap-up; Nodes names the dead incarnations (Node/suffix).
type Reaped = acd.Reaped

// Lease is how long this node's reservations outlive its last refresh
// (acd.LeaseKeeper).
func (s *Store) Lease() time.Duration { return s.lease }

// ReapExpired frees every agent and drops every waiting call held by an
// incarnation whose lease key has expired; any node may run it. Agents go
// through the state machine at now. Each change is checked again
// atomically as it is written (lease still gone, owner and value
// unchanged): an agent that changed meanwhile is read again, a call that
// changed is left for the next run. On error, the result holds what was
// reaped before it. Reaping scans the owner and calls hashes, so run it
// every Lease/2 or so, not in a tight loop.
func (s *Store) ReapExpired(ctx context.Context, now time.Time) (Reaped, error) {
	var out Reaped
	owners, recs, err := s.holders(ctx)
	if err != nil {
		return out, fmt.Errorf("reap expired leases: %w", err)
	}
	tokens := map[string]bool{}
	for _, t := range owners {
		tokens[t] = true
	}
	for _, r := range recs {
		tokens[r.Owner] = true
	}
	if len(tokens) == 0 {
		return out, nil
	}
	dead, err := s.deadTokens(ctx, slices.Sorted(maps.Keys(tokens)))
	if err != nil {
		return out, fmt.Errorf("reap expired leases: %w", err)
	}
	if len(dead) == 0 {
		return out, nil
	}
	nodes := map[string]bool{}
	for _, id := range slices.Sorted(maps.Keys(owners)) {
		tok := owners[id]
		if !dead[tok] {
			continue
		}
		ok, err := s.reapAgent(ctx, id, tok, now)
		if err != nil {
			return out, fmt.Errorf("reap expired leases: agent %s of %s: %w", id, tok, err)
		}
		if ok {
			out.Agents = append(out.Agents, id)
			nodes[tok] = true
		}
	}
	for _, r := range recs {
		if !dead[r.Owner] {
			continue
		}
		v, err := reapCallScript.Run(ctx, s.rdb, []string{s.kWaiting, s.kCalls, s.kQlen, s.leaseKey(r.Owner)}, string(r.Call.ID), r.raw).Result()
		if err != nil {
			return out, fmt.Errorf("reap expired leases: call %s of %s: %w", r.Call.ID, r.Owner, err)
		}
		rs, err := reply("reap call", v)
		if err != nil {
			return out, fmt.Errorf("reap expired leases: call %s of %s: %w", r.Call.ID, r.Owner, err)
		}
		if rs[0] == "ok" {
			out.Calls = append(out.Calls, r.Call)
			nodes[r.Owner] = true
		}
	}
	out.Nodes = slices.Sorted(maps.Keys(nodes))
	return out, nil
}

// holders reads, in one snapshot, who owns which agent and every waiting
// call's record, keeping the raw record so the reap can compare it.
func (s *Store) holders(ctx context.Context) (map[string]string, []rawRecord, error) {
	var ownCmd *redis.MapStringStringCmd
	var callsCmd *redis.MapStringStringCmd
	if err := s.snapshot(ctx, func(p redis.Pipeliner) {
		ownCmd = p.HGetAll(ctx, s.kOwner)
		callsCmd = p.HGetAll(ctx, s.kCalls)
	}); err != nil {
		return nil, nil, err
	}
	var recs []rawRecord
	for id, raw := range callsCmd.Val() {
		r, err := decodeRecord(raw)
		if err != nil {
			return nil, nil, fmt.Errorf("call %s: %w", id, err)
		}
		recs = append(recs, rawRecord{callRecord: r, raw: raw})
	}
	slices.SortFunc(recs, func(a, b rawRecord) int {
		if queue.Before(a.Call, b.Call) {
			return -1
		}
		if queue.Before(b.Call, a.Call) {
			return 1
		}
		return 0
	})
	return ownCmd.Val(), recs, nil
}

// rawRecord is a call record with the exact bytes stored for it.
type rawRecord struct {
	callRecord
	raw string
}

// deadTokens reports which incarnations have no lease key any more.
func (s *Store) deadTokens(ctx context.Context, tokens []string) (map[string]bool, error) {
	cmds := make([]*redis.IntCmd, len(tokens))
	if _, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, t := range tokens {
			cmds[i] = p.Exists(ctx, s.leaseKey(t))
		}
		return nil
	}); err != nil {
		return nil, err
	}
	dead := map[string]bool{}
	for i, t := range tokens {
		if cmds[i].Val() == 0 {
			dead[t] = true
		}
	}
	return dead, nil
}

// reapAgent frees one agent held by dead incarnation tok, retrying if the
// agent changed while tok still owns it and its lease is still gone.
func (s *Store) reapAgent(ctx context.Context, id, tok string, now time.Time) (bool, error) {
	for range maxAttempts {
		raw, owner, err := s.readAgent(ctx, id)
		if err != nil || owner != tok || raw == "" {
			return false, err
		}
		a, err := decodeAgent(raw)
		if err != nil {
			return false, err
		}
		freed, err := free(a, now)
		if err != nil {
			return false, err
		}
		b, err := json.Marshal(freed)
		if err != nil {
			return false, fmt.Errorf("encode agent: %w", err)
		}
		v, err := reapAgentScript.Run(ctx, s.rdb, []string{s.kAgents, s.kOwner, s.leaseKey(tok)}, id, raw, b, tok).Result()
		if err != nil {
			return false, err
		}
		r, err := reply("reap agent", v)
		if err != nil {
			return false, err
		}
		if r[0] == "ok" {
			return true, nil
		}
	}
	return false, ErrContention
}

// free ends whatever call the agent was reserved for, through the state
// machine: a ring is cancelled (not a miss: the agent did nothing wrong), a
// call in progress hangs up (its talk time counts up to now, at most one
// lease more than the truth) and wrap-up ends.
func free(a agents.Agent, now time.Time) (agents.Agent, error) {
	var evs []agents.EventKind
	switch a.State {
	case agents.Ringing:
		evs = []agents.EventKind{agents.Cancel}
	case agents.Busy:
		evs = []agents.EventKind{agents.Hangup, agents.WrapUpDone}
	case agents.WrapUp:
		evs = []agents.EventKind{agents.WrapUpDone}
	}
	for _, k := range evs {
		next, err := a.Apply(agents.Event{Kind: k}, now)
		if err != nil {
			return a, err
		}
		a = next
	}
	return a, nil
}
