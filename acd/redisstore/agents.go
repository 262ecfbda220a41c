package redisstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/sme/acd/acd"
	"github.com/sme/acd/agents"
)

func decodeAgent(raw string) (agents.Agent, error) {
	var a agents.Agent
	if err := json.Unmarshal([]byte(raw), &a); err != nil {
		return a, fmt.Errorf("decode agent: %w", err)
	}
	return a, nil
}

// held reports whether an agent in state st is reserved for a call, so it
// has an owner and a lease.
func held(st agents.State) bool {
	return st == agents.Ringing || st == agents.Busy || st == agents.WrapUp
}

// callEvent reports whether ev is about the call an agent is reserved for,
// which only the owning node may report.
func callEvent(k agents.EventKind) bool {
	switch k {
	case agents.Answer, agents.Miss, agents.Cancel, agents.Hangup, agents.WrapUpDone:
		return true
	}
	return false
}

// readAgent reads an agent's JSON and owner in one snapshot ("" if absent).
func (s *Store) readAgent(ctx context.Context, id string) (raw, owner string, err error) {
	var rawCmd, ownerCmd *redis.StringCmd
	err = s.snapshot(ctx, func(p redis.Pipeliner) {
		rawCmd = p.HGet(ctx, s.kAgents, id)
		ownerCmd = p.HGet(ctx, s.kOwner, id)
	})
	if err != nil {
		return "", "", err
	}
	if raw, err = optString(rawCmd); err != nil {
		return "", "", err
	}
	owner, err = optString(ownerCmd)
	return raw, owner, err
}

// casAgent writes next over the agent read as raw with owner, giving it
// nextOwner. It reports false if either changed since the read.
func (s *Store) casAgent(ctx context.Context, id, raw, owner string, next agents.Agent, nextOwner string) (bool, error) {
	b, err := json.Marshal(next)
	if err != nil {
		return false, fmt.Errorf("encode agent: %w", err)
	}
	v, err := casAgentScript.Run(ctx, s.rdb, []string{s.kAgents, s.kOwner, s.kLease},
		id, raw, b, owner, nextOwner, s.token, s.leaseMS()).Result()
	if err != nil {
		return false, err
	}
	r, err := reply("agent compare-and-set", v)
	if err != nil {
		return false, err
	}
	return r[0] == "ok", nil
}

// PutAgent implements acd.Store.
func (s *Store) PutAgent(ctx context.Context, a agents.Agent) error {
	if err := checkUTF8(a.ID); err != nil {
		return fmt.Errorf("put agent: %w", err)
	}
	for range maxAttempts {
		raw, owner, err := s.readAgent(ctx, a.ID)
		if err != nil {
			return fmt.Errorf("put agent %s: %w", a.ID, err)
		}
		next := a
		if raw != "" {
			old, err := decodeAgent(raw)
			if err != nil {
				return fmt.Errorf("put agent %s: %w", a.ID, err)
			}
			old.Username, old.Name = a.Username, a.Name
			old.Queues, old.Skills = a.Queues, a.Skills
			next = old
		}
		ok, err := s.casAgent(ctx, a.ID, raw, owner, next, owner)
		if err != nil {
			return fmt.Errorf("put agent %s: %w", a.ID, err)
		}
		if ok {
			return nil
		}
	}
	return fmt.Errorf("put agent %s: %w", a.ID, ErrContention)
}

// Agent implements acd.Store.
func (s *Store) Agent(ctx context.Context, id string) (agents.Agent, error) {
	raw, err := s.rdb.HGet(ctx, s.kAgents, id).Result()
	if errors.Is(err, redis.Nil) {
		return agents.Agent{}, fmt.Errorf("get agent %s: %w", id, acd.ErrUnknownAgent)
	}
	if err != nil {
		return agents.Agent{}, fmt.Errorf("get agent %s: %w", id, err)
	}
	a, err := decodeAgent(raw)
	if err != nil {
		return agents.Agent{}, fmt.Errorf("get agent %s: %w", id, err)
	}
	return a, nil
}

// Agents implements acd.Store.
func (s *Store) Agents(ctx context.Context) ([]agents.Agent, error) {
	all, err := s.rdb.HGetAll(ctx, s.kAgents).Result()
	if err != nil {
		return nil, fmt.Errorf("list agents: %w", err)
	}
	out := make([]agents.Agent, 0, len(all))
	for id, raw := range all {
		a, err := decodeAgent(raw)
		if err != nil {
			return nil, fmt.Errorf("list agents: %s: %w", id, err)
		}
		out = append(out, a)
	}
	slices.SortFunc(out, func(a, b agents.Agent) int { return strings.Compare(a.ID, b.ID) })
	return out, nil
}

// Apply implements acd.Store. Besides the state machine's own refusals, a
// call event (answer, miss, cancel, hangup, wrap-up done) for an agent
// another incarnation holds is refused with agents.ErrInvalidTransition.
func (s *Store) Apply(ctx context.Context, id string, ev agents.Event, now time.Time) (agents.Agent, error) {
	for range maxAttempts {
		raw, owner, err := s.readAgent(ctx, id)
		if err != nil {
			return agents.Agent{}, fmt.Errorf("apply %s to agent %s: %w", ev.Kind, id, err)
		}
		if raw == "" {
			return agents.Agent{}, fmt.Errorf("apply %s to agent %s: %w", ev.Kind, id, acd.ErrUnknownAgent)
		}
		a, err := decodeAgent(raw)
		if err != nil {
			return agents.Agent{}, fmt.Errorf("apply %s to agent %s: %w", ev.Kind, id, err)
		}
		if held(a.State) && owner != "" && owner != s.token && callEvent(ev.Kind) {
			return a, fmt.Errorf("apply %s to agent %s: held by %s, not %s: %w", ev.Kind, id, owner, s.token, agents.ErrInvalidTransition)
		}
		next, err := a.Apply(ev, now)
		if err != nil {
			return a, err
		}
		ok, err := s.casAgent(ctx, id, raw, owner, next, s.ownerAfter(a.State, next.State, owner))
		if err != nil {
			return agents.Agent{}, fmt.Errorf("apply %s to agent %s: %w", ev.Kind, id, err)
		}
		if ok {
			return next, nil
		}
	}
	return agents.Agent{}, fmt.Errorf("apply %s to agent %s: %w", ev.Kind, id, ErrContention)
}

// ownerAfter is who holds an agent going from state prev to next: nobody
// once it is free; whoever held it while its call goes on; else (an offer)
// this incarnation.
func (s *Store) ownerAfter(prev, next agents.State, owner string) string {
	switch {
	case !held(next):
		return ""
	case held(prev) && owner != "":
		return owner
	}
	return s.token
}
