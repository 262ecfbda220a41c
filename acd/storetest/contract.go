// Package storetest is the contract every acd.Store must honour. Each store
// package runs the same suite from its own tests:
//
//	func TestContract(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) acd.Store { return memstore.New() })
//	}
//
// newStore is called once per subtest and must return an empty store that no
// other subtest sees (a fresh value, a fresh key prefix, a flushed database),
// cleaning up with t.Cleanup if it needs to. Times are fixed and every
// concurrent subtest starts its goroutines behind a channel barrier, so the
// suite is deterministic apart from the interleavings it exists to probe; run
// it with -race.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/sme/acd/acd"
	"github.com/sme/acd/agents"
	"github.com/sme/acd/queue"
)

// Run runs the whole contract as subtests of t, each against a fresh store.
func Run(t *testing.T, newStore func(t *testing.T) acd.Store) {
	t.Helper()
	groups := []struct {
		name  string
		tests []contractTest
	}{
		{"Agents", agentTests},
		{"Queue", queueTests},
		{"Claim", claimTests},
		{"Contacts", contactTests},
		{"Concurrent", concurrentTests},
	}
	for _, g := range groups {
		t.Run(g.name, func(t *testing.T) {
			for _, tc := range g.tests {
				t.Run(tc.name, func(t *testing.T) { tc.run(t, newStore(t)) })
			}
		})
	}
}

// contractTest is one clause of the contract.
type contractTest struct {
	name string
	run  func(t *testing.T, s acd.Store)
}

// t0 is the fixed start of every scenario; at(n) is n seconds later.
var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

func at(sec int) time.Time { return t0.Add(time.Duration(sec) * time.Second) }

var ctx = context.Background()

// pathTo lists the events that take a freshly put (Offline) agent to state.
func pathTo(state agents.State) []agents.Event {
	login := agents.Event{Kind: agents.Login}
	offer := agents.Event{Kind: agents.Offer}
	switch state {
	case agents.Offline:
		return nil
	case agents.Available:
		return []agents.Event{login}
	case agents.Ringing:
		return []agents.Event{login, offer}
	case agents.Busy:
		return []agents.Event{login, offer, {Kind: agents.Answer}}
	case agents.WrapUp:
		return []agents.Event{login, offer, {Kind: agents.Answer}, {Kind: agents.Hangup}}
	case agents.Paused:
		return []agents.Event{login, {Kind: agents.Pause, Reason: "lunch"}}
	}
	panic(fmt.Sprintf("storetest: no path to state %s", state))
}

// putAgent adds agent id serving queues and drives it to state through the
// store's own Apply, one second per event from t0, so the suite does not
// depend on how a store treats the state of a new agent.
func putAgent(t *testing.T, s acd.Store, id string, state agents.State, queues ...string) agents.Agent {
	t.Helper()
	if len(queues) == 0 {
		queues = []string{"sales"}
	}
	a := agents.Agent{ID: id, Username: "u-" + id, Name: "Agent " + id, Queues: queues}
	if err := s.PutAgent(ctx, a); err != nil {
		t.Fatalf("PutAgent(%s): %v", id, err)
	}
	for i, ev := range pathTo(state) {
		if _, err := s.Apply(ctx, id, ev, at(i+1)); err != nil {
			t.Fatalf("Apply(%s, %s): %v", id, ev.Kind, err)
		}
	}
	got := mustAgent(t, s, id)
	if got.State != state {
		t.Fatalf("setting up agent %s: state %s, want %s", id, got.State, state)
	}
	return got
}

func mustAgent(t *testing.T, s acd.Store, id string) agents.Agent {
	t.Helper()
	a, err := s.Agent(ctx, id)
	if err != nil {
		t.Fatalf("Agent(%s): %v", id, err)
	}
	return a
}

// wantState fails the test unless agent id is in state.
func wantState(t *testing.T, s acd.Store, id string, state agents.State) {
	t.Helper()
	if got := mustAgent(t, s, id).State; got != state {
		t.Errorf("agent %s is %s, want %s", id, got, state)
	}
}

// newCall is a call in q with priority prio that arrived sec seconds after t0.
func newCall(id, q string, prio, sec int) queue.Call {
	return queue.Call{ID: queue.CallID(id), Queue: q, Caller: "+4930" + id, Priority: prio, Arrived: at(sec)}
}

func mustEnqueue(t *testing.T, s acd.Store, maxLen int, calls ...queue.Call) {
	t.Helper()
	for _, c := range calls {
		if err := s.Enqueue(ctx, c, maxLen); err != nil {
			t.Fatalf("Enqueue(%s, max %d): %v", c.ID, maxLen, err)
		}
	}
}

// waitingIDs lists the ids of the waiting calls in the order Waiting gives.
func waitingIDs(t *testing.T, s acd.Store) []queue.CallID {
	t.Helper()
	w, err := s.Waiting(ctx)
	if err != nil {
		t.Fatalf("Waiting: %v", err)
	}
	ids := make([]queue.CallID, 0, len(w))
	for _, c := range w {
		ids = append(ids, c.ID)
	}
	return ids
}

// wantWaiting fails the test unless exactly ids wait, in that order.
func wantWaiting(t *testing.T, s acd.Store, ids ...queue.CallID) {
	t.Helper()
	if got := waitingIDs(t, s); !slices.Equal(got, ids) {
		t.Errorf("waiting = %v, want %v", got, ids)
	}
}

// wantErr fails the test unless errors.Is(err, target).
func wantErr(t *testing.T, what string, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Errorf("%s: err = %v, want %v", what, err, target)
	}
}

// sameCall fails the test unless got carries every field of want.
func sameCall(t *testing.T, got, want queue.Call) {
	t.Helper()
	if got.ID != want.ID || got.Queue != want.Queue || got.Caller != want.Caller ||
		got.Priority != want.Priority || !got.Arrived.Equal(want.Arrived) ||
		got.Attempts != want.Attempts || !slices.Equal(got.Missed, want.Missed) ||
		got.Preferred != want.Preferred || got.PreferFor != want.PreferFor {
		t.Errorf("call = %+v, want %+v", got, want)
	}
}

// sorted returns a sorted copy, for results whose order the contract leaves open.
func sorted[S ~[]E, E ~string](s S) S {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}
