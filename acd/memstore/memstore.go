// Package memstore is the in-memory acd.Store for a single node: every
// operation runs under one mutex, which makes Claim and Apply atomic.
package memstore

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/sme/acd/acd"
	"github.com/sme/acd/agents"
	"github.com/sme/acd/queue"
)

// Store is the in-memory store. The zero value is not ready: use New.
type Store struct {
	mu       sync.Mutex
	agents   map[string]agents.Agent
	waiting  []queue.Call // kept in queue.Before order
	contacts map[string][]acd.Contact
}

var _ acd.Store = (*Store)(nil)

// New returns an empty store.
func New() *Store {
	return &Store{agents: map[string]agents.Agent{}, contacts: map[string][]acd.Contact{}}
}

// PutAgent implements acd.Store.
func (s *Store) PutAgent(_ context.Context, a agents.Agent) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	a = cloneAgent(a)
	if old, ok := s.agents[a.ID]; ok {
		old.Username, old.Name = a.Username, a.Name
		old.Queues, old.Skills = a.Queues, a.Skills
		a = old
	}
	s.agents[a.ID] = a
	return nil
}

// cloneAgent copies the slice, map and pointer inside an agent, so no value
// the store hands out or takes in shares memory with what it keeps.
func cloneAgent(a agents.Agent) agents.Agent {
	a.Queues = slices.Clone(a.Queues)
	a.Skills = maps.Clone(a.Skills)
	if a.Pending != nil {
		p := *a.Pending
		a.Pending = &p
	}
	return a
}

// cloneCall copies the call's Missed list for the same reason.
func cloneCall(c queue.Call) queue.Call {
	c.Missed = slices.Clone(c.Missed)
	c.Requirements = maps.Clone(c.Requirements)
	return c
}

// Agent implements acd.Store.
func (s *Store) Agent(_ context.Context, id string) (agents.Agent, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.agents[id]
	if !ok {
		return agents.Agent{}, fmt.Errorf("get agent %s: %w", id, acd.ErrUnknownAgent)
	}
	return cloneAgent(a), nil
}

// Agents implements acd.Store.
func (s *Store) Agents(_ context.Context) ([]agents.Agent, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]agents.Agent, 0, len(s.agents))
	for _, a := range s.agents {
		out = append(out, cloneAgent(a))
	}
	slices.SortFunc(out, func(a, b agents.Agent) int { return strings.Compare(a.ID, b.ID) })
	return out, nil
}

// Apply implements acd.Store.
func (s *Store) Apply(_ context.Context, id string, ev agents.Event, now time.Time) (agents.Agent, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.agents[id]
	if !ok {
		return agents.Agent{}, fmt.Errorf("apply %s to agent %s: %w", ev.Kind, id, acd.ErrUnknownAgent)
	}
	next, err := a.Apply(ev, now)
	if err != nil {
		return cloneAgent(a), err
	}
	s.agents[id] = next
	return cloneAgent(next), nil
}

// Enqueue implements acd.Store.
func (s *Store) Enqueue(_ context.Context, c queue.Call, maxLen int) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if maxLen > 0 {
		n := 0
		for _, w := range s.waiting {
			if w.Queue == c.Queue {
				n++
			}
		}
		if n >= maxLen {
			return fmt.Errorf("enqueue %s in %s (%d waiting): %w", c.ID, c.Queue, n, acd.ErrQueueFull)
		}
	}
	s.insert(c)
	return nil
}

// Requeue implements acd.Store.
func (s *Store) Requeue(_ context.Context, c queue.Call) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.find(c.ID) >= 0 {
		return nil
	}
	s.insert(c)
	return nil
}

func (s *Store) insert(c queue.Call) {
	c = cloneCall(c)
	i := sort.Search(len(s.waiting), func(i int) bool { return queue.Before(c, s.waiting[i]) })
	s.waiting = slices.Insert(s.waiting, i, c)
}

func (s *Store) find(id queue.CallID) int {
	for i, w := range s.waiting {
		if w.ID == id {
			return i
		}
	}
	return -1
}

// Remove implements acd.Store.
func (s *Store) Remove(_ context.Context, id queue.CallID) (queue.Call, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	i := s.find(id)
	if i < 0 {
		return queue.Call{}, fmt.Errorf("remove call %s: %w", id, acd.ErrCallNotWaiting)
	}
	c := s.waiting[i]
	s.waiting = slices.Delete(s.waiting, i, i+1)
	return c, nil
}

// Waiting implements acd.Store.
func (s *Store) Waiting(_ context.Context) ([]queue.Call, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]queue.Call, len(s.waiting))
	for i, c := range s.waiting {
		out[i] = cloneCall(c)
	}
	return out, nil
}

// Claim implements acd.Store.
func (s *Store) Claim(_ context.Context, id queue.CallID, agentIDs []string, now time.Time) (queue.Call, []string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	i := s.find(id)
	if i < 0 {
		return queue.Call{}, nil, fmt.Errorf("claim call %s: %w", id, acd.ErrCallNotWaiting)
	}
	var claimed []string
	for _, aid := range agentIDs {
		a, ok := s.agents[aid]
		if !ok || a.State != agents.Available || slices.Contains(claimed, aid) {
			continue
		}
		next, err := a.Apply(agents.Event{Kind: agents.Offer}, now)
		if err != nil {
			continue
		}
		s.agents[aid] = next
		claimed = append(claimed, aid)
	}
	if len(claimed) == 0 {
		return queue.Call{}, nil, fmt.Errorf("claim call %s: %w", id, acd.ErrNoAgentClaimed)
	}
	c := s.waiting[i]
	s.waiting = slices.Delete(s.waiting, i, i+1)
	return c, claimed, nil
}

// Register implements acd.Store.
func (s *Store) Register(_ context.Context, username string, c acd.Contact) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	list := s.contacts[username]
	for i, old := range list {
		if old.URI == c.URI {
			list[i] = c
			return nil
		}
	}
	s.contacts[username] = append(list, c)
	return nil
}

// Unregister implements acd.Store.
func (s *Store) Unregister(_ context.Context, username, uri string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if uri == "*" {
		delete(s.contacts, username)
		return nil
	}
	s.contacts[username] = slices.DeleteFunc(s.contacts[username], func(c acd.Contact) bool { return c.URI == uri })
	return nil
}

// Contacts implements acd.Store.
func (s *Store) Contacts(_ context.Context, username string, now time.Time) ([]acd.Contact, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	live := slices.DeleteFunc(s.contacts[username], func(c acd.Contact) bool { return !c.Expires.After(now) })
	s.contacts[username] = live
	return slices.Clone(live), nil
}
