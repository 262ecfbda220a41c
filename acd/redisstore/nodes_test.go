package redisstore

import (
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/sme/acd/acd"
	"github.com/sme/acd/acd/storetest"
	"github.com/sme/acd/agents"
	"github.com/sme/acd/internal/redistest"
	"github.com/sme/acd/queue"
)

// TestTwoNodesClaimOneAgent: 50 goroutines spread over two nodes (two
// Store values with their own connection pools on one Redis) each enqueue a
// call and claim the same agent for it. Exactly one wins.
func TestTwoNodesClaimOneAgent(t *testing.T) {
	t.Parallel()
	ns := nodes(t, redistest.Start(t), 0, 2)
	putAvailable(t, ns[0], "a1")

	const racers = 50
	errs := make([]error, racers)
	claimed := make([][]string, racers)
	storetest.Race(racers, func(i int) {
		s := ns[i%2]
		id := queue.CallID(fmt.Sprintf("c%02d", i))
		if err := s.Enqueue(ctx, call(string(id), i), 0); err != nil {
			errs[i] = fmt.Errorf("enqueue: %w", err)
			return
		}
		_, claimed[i], errs[i] = s.Claim(ctx, id, []string{"a1"}, at(100))
	})

	var won []int
	for i, err := range errs {
		switch {
		case err == nil:
			won = append(won, i)
		case !errors.Is(err, acd.ErrNoAgentClaimed):
			t.Errorf("racer %d on %s: %v", i, ns[i%2].node, err)
		}
	}
	if len(won) != 1 {
		t.Fatalf("%d claims of one agent succeeded, want exactly 1 (winners %v)", len(won), won)
	}
	w := won[0]
	if !slices.Equal(claimed[w], []string{"a1"}) {
		t.Errorf("winner claimed %v", claimed[w])
	}
	if a := mustAgent(t, ns[1], "a1"); a.State != agents.Ringing {
		t.Errorf("a1 is %s, want ringing", a.State)
	}
	if got, want := owners(t, ns[0])["a1"], ns[w%2].Incarnation(); got != want {
		t.Errorf("a1 held by %q, want the winner's node %q", got, want)
	}
	ids := waitingIDs(t, ns[1])
	if len(ids) != racers-1 || slices.Contains(ids, queue.CallID(fmt.Sprintf("c%02d", w))) {
		t.Errorf("waiting %v: want the %d losing calls", ids, racers-1)
	}
}

// TestTwoNodesOverlappingClaims: two nodes claim many calls at once, each
// for a window of three agents that overlaps its neighbours' (ring-all).
// Over several rounds no agent is ever claimed twice, every claimed agent
// rings held by the node that claimed it, every other agent stays free,
// and exactly the winners' calls leave the queue.
func TestTwoNodesOverlappingClaims(t *testing.T) {
	t.Parallel()
	ns := nodes(t, redistest.Start(t), 0, 2)
	const nAgents, nCalls, window = 20, 60, 3
	var ids []string
	for i := range nAgents {
		ids = append(ids, fmt.Sprintf("ag%02d", i))
	}
	putAvailable(t, ns[0], ids...)

	for round := range 5 {
		callID := func(i int) queue.CallID { return queue.CallID(fmt.Sprintf("r%d-c%02d", round, i)) }
		for i := range nCalls {
			mustEnqueue(t, ns[i%2], call(string(callID(i)), i))
		}
		type result struct {
			claimed []string
			err     error
		}
		results := make([]result, nCalls)
		storetest.Race(nCalls, func(i int) {
			var want []string
			for k := range window {
				want = append(want, ids[(i+k)%nAgents])
			}
			r := &results[i]
			_, r.claimed, r.err = ns[i%2].Claim(ctx, callID(i), want, at(100+round))
		})

		holder := map[string]int{} // agent -> call index that claimed it
		var winners []int
		for i, r := range results {
			if r.err != nil {
				if !errors.Is(r.err, acd.ErrNoAgentClaimed) {
					t.Fatalf("round %d: claim %d: %v", round, i, r.err)
				}
				continue
			}
			winners = append(winners, i)
			for _, a := range r.claimed {
				if prev, dup := holder[a]; dup {
					t.Fatalf("round %d: agent %s claimed by calls %d and %d", round, a, prev, i)
				}
				holder[a] = i
			}
		}
		if len(winners) == 0 {
			t.Fatalf("round %d: no claim succeeded", round)
		}
		own := owners(t, ns[0])
		all, err := ns[1].Agents(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range all {
			i, ok := holder[a.ID]
			switch {
			case ok && (a.State != agents.Ringing || own[a.ID] != ns[i%2].Incarnation()):
				t.Errorf("round %d: %s claimed by call %d on %s is %s held by %q", round, a.ID, i, ns[i%2].node, a.State, own[a.ID])
			case !ok && (a.State != agents.Available || own[a.ID] != ""):
				t.Errorf("round %d: unclaimed %s is %s held by %q", round, a.ID, a.State, own[a.ID])
			}
		}
		waiting := waitingIDs(t, ns[0])
		if len(waiting) != nCalls-len(winners) {
			t.Errorf("round %d: %d calls wait, want %d", round, len(waiting), nCalls-len(winners))
		}
		for _, i := range winners {
			if slices.Contains(waiting, callID(i)) {
				t.Errorf("round %d: claimed call %s still waits", round, callID(i))
			}
		}

		// Hang up the rings through their own nodes and clear the queue.
		for a, i := range holder {
			mustApply(t, ns[i%2], a, agents.Event{Kind: agents.Cancel})
		}
		for _, id := range waiting {
			if _, err := ns[1].Remove(ctx, id); err != nil {
				t.Fatalf("Remove(%s): %v", id, err)
			}
		}
		if own := owners(t, ns[1]); len(own) != 0 {
			t.Fatalf("round %d: owners left after release: %v", round, own)
		}
	}
}

// TestCallEventsOnlyFromHolder: while node 1 holds an agent, node 2 can
// defer a pause for it but cannot answer, miss or cancel its call.
func TestCallEventsOnlyFromHolder(t *testing.T) {
	t.Parallel()
	ns := nodes(t, redistest.Start(t), 0, 2)
	putAvailable(t, ns[0], "a1")
	mustEnqueue(t, ns[0], call("c1", 1))
	mustClaim(t, ns[0], "c1", "a1")

	for _, k := range []agents.EventKind{agents.Answer, agents.Miss, agents.Cancel} {
		if _, err := ns[1].Apply(ctx, "a1", agents.Event{Kind: k}, at(60)); !errors.Is(err, agents.ErrInvalidTransition) {
			t.Errorf("%s from the other node: err %v, want ErrInvalidTransition", k, err)
		}
	}
	if a := mustApply(t, ns[1], "a1", agents.Event{Kind: agents.Pause, Reason: "lunch"}); a.State != agents.Ringing || a.Pending == nil {
		t.Errorf("pause from the other node: %s pending %v, want deferred while ringing", a.State, a.Pending)
	}
	if got := owners(t, ns[0])["a1"]; got != ns[0].Incarnation() {
		t.Errorf("after the deferred pause a1 is held by %q, want %q", got, ns[0].Incarnation())
	}
	mustApply(t, ns[0], "a1", agents.Event{Kind: agents.Answer})
	if _, err := ns[1].Apply(ctx, "a1", agents.Event{Kind: agents.Hangup}, at(70)); !errors.Is(err, agents.ErrInvalidTransition) {
		t.Errorf("hangup from the other node: err %v, want ErrInvalidTransition", err)
	}
	mustApply(t, ns[0], "a1", agents.Event{Kind: agents.Hangup})
	if a := mustApply(t, ns[0], "a1", agents.Event{Kind: agents.WrapUpDone}); a.State != agents.Paused || a.PauseReason != "lunch" {
		t.Errorf("after wrap-up a1 is %s (%q), want paused for lunch", a.State, a.PauseReason)
	}
	if own := owners(t, ns[0]); len(own) != 0 {
		t.Errorf("a free agent still has an owner: %v", own)
	}
}

// TestEnqueueTwiceRefused: a call id waits once; Requeue of a waiting call
// is the no-op the contract asks for, Enqueue an error.
func TestEnqueueTwiceRefused(t *testing.T) {
	t.Parallel()
	s := nodes(t, redistest.Start(t), 0, 1)[0]
	mustEnqueue(t, s, call("c1", 1))
	if err := s.Enqueue(ctx, call("c1", 2), 0); err == nil {
		t.Errorf("second Enqueue of c1 succeeded")
	}
	if ids := waitingIDs(t, s); !slices.Equal(ids, []queue.CallID{"c1"}) {
		t.Errorf("waiting %v, want [c1]", ids)
	}
}
