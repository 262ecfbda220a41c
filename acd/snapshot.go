package acd

import (
	"context"
	"fmt"
	"time"

	"github.com/sme/acd/agents"
)

// Snapshot is the live picture the HTTP API and wallboard show.
type Snapshot struct {
	Time   time.Time       `json:"time"`
	Queues []QueueSnapshot `json:"queues"`
	Agents []AgentSnapshot `json:"agents"`
}

// QueueSnapshot is one queue right now.
type QueueSnapshot struct {
	Name          string         `json:"name"`
	Number        string         `json:"number"`
	Strategy      string         `json:"strategy"`
	Waiting       int            `json:"waiting"`
	LongestWaitMS int64          `json:"longest_wait_ms"`
	Calls         []WaitingCall  `json:"calls"`
	AgentsByState map[string]int `json:"agents_by_state"`
}

// WaitingCall is one caller waiting in a queue.
type WaitingCall struct {
	ID       string `json:"id"`
	Caller   string `json:"caller"`
	Priority int    `json:"priority"`
	WaitMS   int64  `json:"wait_ms"`
}

// AgentSnapshot is one agent right now, with how many phones it registered.
type AgentSnapshot struct {
	agents.Agent
	Contacts int `json:"contacts"`
}

// Snapshot reads the store for the current picture. It does not go through
// the engine goroutine, so a busy engine never slows the wallboard.
func (e *Engine) Snapshot(ctx context.Context) (Snapshot, error) {
	now := time.Now()
	waiting, err := e.store.Waiting(ctx)
	if err != nil {
		return Snapshot{}, fmt.Errorf("snapshot: %w", err)
	}
	all, err := e.store.Agents(ctx)
	if err != nil {
		return Snapshot{}, fmt.Errorf("snapshot: %w", err)
	}
	s := Snapshot{Time: now}
	for _, q := range e.cfg.Queues {
		qs := QueueSnapshot{Name: q.Name, Number: q.Number, Strategy: q.Strategy.Name(), Calls: []WaitingCall{}, AgentsByState: map[string]int{}}
		for _, c := range waiting {
			if c.Queue != q.Name {
				continue
			}
			w := c.Wait(now).Milliseconds()
			qs.Waiting++
			qs.LongestWaitMS = max(qs.LongestWaitMS, w)
			qs.Calls = append(qs.Calls, WaitingCall{ID: string(c.ID), Caller: c.Caller, Priority: c.Priority, WaitMS: w})
		}
		for _, a := range all {
			if a.InQueue(q.Name) {
				qs.AgentsByState[a.State.String()]++
			}
		}
		s.Queues = append(s.Queues, qs)
	}
	for _, a := range all {
		cs, err := e.store.Contacts(ctx, a.Username, now)
		if err != nil {
			return Snapshot{}, fmt.Errorf("snapshot: %w", err)
		}
		s.Agents = append(s.Agents, AgentSnapshot{Agent: a, Contacts: len(cs)})
	}
	return s, nil
}
