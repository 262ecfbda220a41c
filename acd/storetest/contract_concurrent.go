package storetest

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/sme/acd/acd"
	"github.com/sme/acd/agents"
	"github.com/sme/acd/queue"
)

var concurrentTests = []contractTest{
	{"ManyCallsClaimOneAgent", testConcurrentOneAgent},
	{"ManyClaimsOfOneCall", testConcurrentOneCall},
}

// racers is how many goroutines each concurrent subtest starts.
const racers = 50

// Race runs fn(i) for i in [0, n) in n goroutines released together by
// closing a channel, and returns once all have finished. Stores' own
// concurrency tests use it too.
func Race(n int, fn func(i int)) {
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			fn(i)
		})
	}
	close(start)
	wg.Wait()
}

// claimResult is what one racing Claim returned.
type claimResult struct {
	call    queue.Call
	claimed []string
	err     error
}

// winners returns the indexes of the results without error, and fails the
// test for every error other than loserErr.
func winners(t *testing.T, results []claimResult, loserErr error) []int {
	t.Helper()
	var won []int
	for i, r := range results {
		switch {
		case r.err == nil:
			won = append(won, i)
		case !errors.Is(r.err, loserErr):
			t.Errorf("racer %d: err = %v, want nil or %v", i, r.err, loserErr)
		}
	}
	return won
}

// testConcurrentOneAgent: every racer enqueues its own call and tries to
// claim the same single agent for it. Exactly one claim wins; the agent
// rings once and every other call still waits.
func testConcurrentOneAgent(t *testing.T, s acd.Store) {
	putAgent(t, s, "a1", agents.Available)
	now := at(100)
	results := make([]claimResult, racers)
	Race(racers, func(i int) {
		c := newCall(fmt.Sprintf("c%02d", i), "sales", 0, i)
		if err := s.Enqueue(ctx, c, 0); err != nil {
			results[i].err = fmt.Errorf("enqueue: %w", err)
			return
		}
		r := &results[i]
		r.call, r.claimed, r.err = s.Claim(ctx, c.ID, []string{"a1"}, now)
	})

	won := winners(t, results, acd.ErrNoAgentClaimed)
	if len(won) != 1 {
		t.Fatalf("%d claims of one agent succeeded, want exactly 1 (winners %v)", len(won), won)
	}
	w := results[won[0]]
	if !slices.Equal(w.claimed, []string{"a1"}) {
		t.Errorf("winner claimed %v, want [a1]", w.claimed)
	}
	if want := queue.CallID(fmt.Sprintf("c%02d", won[0])); w.call.ID != want {
		t.Errorf("winner got call %s, want its own %s", w.call.ID, want)
	}
	if a := mustAgent(t, s, "a1"); a.State != agents.Ringing || !a.LastOffered.Equal(now) {
		t.Errorf("a1 = %s offered %v, want ringing offered at %v", a.State, a.LastOffered, now)
	}

	ids := waitingIDs(t, s)
	if len(ids) != racers-1 {
		t.Errorf("%d calls wait, want %d", len(ids), racers-1)
	}
	if slices.Contains(ids, w.call.ID) {
		t.Errorf("claimed call %s still waits", w.call.ID)
	}
}

// testConcurrentOneCall: every racer tries to claim the same call with its
// own two agents. Exactly one wins; only its agents ring and every other
// agent is still Available.
func testConcurrentOneCall(t *testing.T, s acd.Store) {
	owned := func(i int) []string { return []string{fmt.Sprintf("a%02d-x", i), fmt.Sprintf("a%02d-y", i)} }
	for i := range racers {
		for _, id := range owned(i) {
			putAgent(t, s, id, agents.Available)
		}
	}
	want := newCall("c1", "sales", 0, 10)
	mustEnqueue(t, s, 0, want)

	results := make([]claimResult, racers)
	Race(racers, func(i int) {
		r := &results[i]
		r.call, r.claimed, r.err = s.Claim(ctx, "c1", owned(i), at(100))
	})

	won := winners(t, results, acd.ErrCallNotWaiting)
	if len(won) != 1 {
		t.Fatalf("%d claims of one call succeeded, want exactly 1 (winners %v)", len(won), won)
	}
	w := won[0]
	sameCall(t, results[w].call, want)
	if got := sorted(results[w].claimed); !slices.Equal(got, owned(w)) {
		t.Errorf("winner claimed %v, want %v", results[w].claimed, owned(w))
	}

	all, err := s.Agents(ctx)
	if err != nil {
		t.Fatalf("Agents: %v", err)
	}
	if len(all) != 2*racers {
		t.Errorf("%d agents, want %d", len(all), 2*racers)
	}
	for _, a := range all {
		wantSt := agents.Available
		if slices.Contains(owned(w), a.ID) {
			wantSt = agents.Ringing
		}
		if a.State != wantSt {
			t.Errorf("agent %s is %s, want %s", a.ID, a.State, wantSt)
		}
	}
	wantWaiting(t, s)
}
