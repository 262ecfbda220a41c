package storetest

import (
	"slices"
	"testing"

	"github.com/sme/acd/acd"
	"github.com/sme/acd/agents"
)

var claimTests = []contractTest{
	{"ClaimRingsAgentAndTakesCall", testClaimSuccess},
	{"ClaimSkipsAgentNotAvailable", testClaimSkips},
	{"ClaimNoAgentFreeLeavesCallWaiting", testClaimNoneFree},
	{"ClaimCallNotWaiting", testClaimNotWaiting},
	{"ClaimRingAll", testClaimRingAll},
}

func testClaimSuccess(t *testing.T, s acd.Store) {
	putAgent(t, s, "a1", agents.Available)
	putAgent(t, s, "a2", agents.Available)
	c1 := newCall("c1", "sales", 2, 10)
	mustEnqueue(t, s, 0, c1, newCall("c2", "sales", 0, 5))

	now := at(60)
	got, claimed, err := s.Claim(ctx, "c1", []string{"a1"}, now)
	if err != nil {
		t.Fatalf("Claim: %v", err)
	}
	sameCall(t, got, c1)
	if !slices.Equal(claimed, []string{"a1"}) {
		t.Errorf("claimed %v, want [a1]", claimed)
	}
	a1 := mustAgent(t, s, "a1")
	if a1.State != agents.Ringing || !a1.StateSince.Equal(now) || !a1.LastOffered.Equal(now) {
		t.Errorf("a1 = %s since %v, last offered %v; want ringing since and offered at %v", a1.State, a1.StateSince, a1.LastOffered, now)
	}
	wantState(t, s, "a2", agents.Available)
	wantWaiting(t, s, "c2")

	// The claimed agent rings through the ordinary state machine.
	if a, err := s.Apply(ctx, "a1", agents.Event{Kind: agents.Answer}, at(65)); err != nil || a.State != agents.Busy {
		t.Errorf("Answer after Claim: %s, %v", a.State, err)
	}
}

func testClaimSkips(t *testing.T, s acd.Store) {
	putAgent(t, s, "a1", agents.Paused)
	putAgent(t, s, "a2", agents.Available)
	mustEnqueue(t, s, 0, newCall("c1", "sales", 0, 10))

	_, claimed, err := s.Claim(ctx, "c1", []string{"a1", "a2"}, at(60))
	if err != nil {
		t.Fatalf("Claim: %v", err)
	}
	if !slices.Equal(claimed, []string{"a2"}) {
		t.Errorf("claimed %v, want [a2]", claimed)
	}
	wantState(t, s, "a1", agents.Paused)
	wantState(t, s, "a2", agents.Ringing)
	wantWaiting(t, s)
}

func testClaimNoneFree(t *testing.T, s acd.Store) {
	busy := putAgent(t, s, "a1", agents.Busy)
	putAgent(t, s, "a2", agents.Offline)
	putAgent(t, s, "a3", agents.Ringing)
	mustEnqueue(t, s, 0, newCall("c1", "sales", 0, 10))

	_, claimed, err := s.Claim(ctx, "c1", []string{"a1", "a2", "a3"}, at(60))
	wantErr(t, "Claim with no free agent", err, acd.ErrNoAgentClaimed)
	if len(claimed) != 0 {
		t.Errorf("claimed %v on failure", claimed)
	}
	wantWaiting(t, s, "c1")
	if a := mustAgent(t, s, "a1"); a.State != agents.Busy || !a.StateSince.Equal(busy.StateSince) {
		t.Errorf("a1 = %s since %v, want untouched busy", a.State, a.StateSince)
	}
	wantState(t, s, "a2", agents.Offline)
	wantState(t, s, "a3", agents.Ringing)

	_, _, err = s.Claim(ctx, "c1", nil, at(61))
	wantErr(t, "Claim with no agents listed", err, acd.ErrNoAgentClaimed)
	wantWaiting(t, s, "c1")

	// Once an agent is free the same call can still be claimed.
	if _, err := s.Apply(ctx, "a2", agents.Event{Kind: agents.Login}, at(62)); err != nil {
		t.Fatalf("Login a2: %v", err)
	}
	if _, claimed, err := s.Claim(ctx, "c1", []string{"a1", "a2"}, at(63)); err != nil || !slices.Equal(claimed, []string{"a2"}) {
		t.Errorf("Claim after login = %v, %v; want [a2]", claimed, err)
	}
}

func testClaimNotWaiting(t *testing.T, s acd.Store) {
	putAgent(t, s, "a1", agents.Available)
	putAgent(t, s, "a2", agents.Available)
	mustEnqueue(t, s, 0, newCall("c1", "sales", 0, 10), newCall("c2", "sales", 0, 20))

	_, _, err := s.Claim(ctx, "never-enqueued", []string{"a1"}, at(60))
	wantErr(t, "Claim of an unknown call", err, acd.ErrCallNotWaiting)

	if _, err := s.Remove(ctx, "c1"); err != nil {
		t.Fatalf("Remove(c1): %v", err)
	}
	_, claimed, err := s.Claim(ctx, "c1", []string{"a1"}, at(61))
	wantErr(t, "Claim of a removed call", err, acd.ErrCallNotWaiting)
	if len(claimed) != 0 {
		t.Errorf("claimed %v on failure", claimed)
	}

	if _, _, err := s.Claim(ctx, "c2", []string{"a2"}, at(62)); err != nil {
		t.Fatalf("Claim(c2): %v", err)
	}
	_, _, err = s.Claim(ctx, "c2", []string{"a1"}, at(63))
	wantErr(t, "Claim of an already claimed call", err, acd.ErrCallNotWaiting)

	// A failed claim must not reserve the agent.
	if a := mustAgent(t, s, "a1"); a.State != agents.Available || !a.LastOffered.IsZero() {
		t.Errorf("a1 = %s, last offered %v; want available, never offered", a.State, a.LastOffered)
	}
	wantWaiting(t, s)
}

func testClaimRingAll(t *testing.T, s acd.Store) {
	putAgent(t, s, "a1", agents.Available)
	putAgent(t, s, "a2", agents.Busy)
	putAgent(t, s, "a3", agents.Available)
	putAgent(t, s, "a4", agents.Available) // not asked for
	mustEnqueue(t, s, 0, newCall("c1", "sales", 0, 10))

	now := at(60)
	_, claimed, err := s.Claim(ctx, "c1", []string{"a1", "a2", "a3"}, now)
	if err != nil {
		t.Fatalf("Claim: %v", err)
	}
	if got := sorted(claimed); !slices.Equal(got, []string{"a1", "a3"}) {
		t.Errorf("claimed %v, want a1 and a3", claimed)
	}
	for _, id := range []string{"a1", "a3"} {
		if a := mustAgent(t, s, id); a.State != agents.Ringing || !a.LastOffered.Equal(now) {
			t.Errorf("%s = %s offered %v, want ringing offered at %v", id, a.State, a.LastOffered, now)
		}
	}
	wantState(t, s, "a2", agents.Busy)
	wantState(t, s, "a4", agents.Available)
	wantWaiting(t, s)
}
