package storetest

import (
	"maps"
	"slices"
	"testing"

	"github.com/sme/acd/acd"
	"github.com/sme/acd/agents"
)

var agentTests = []contractTest{
	{"PutAgentAddsNewAgentOffline", testPutAgentAdds},
	{"PutAgentKeepsStateButUpdatesIdentity", testPutAgentKeepsState},
	{"AgentUnknown", testAgentUnknown},
	{"AgentsSortedByID", testAgentsSorted},
	{"AgentValuesAreCopies", testAgentCopies},
	{"ApplyValidTransitions", testApplyValid},
	{"ApplyInvalidTransitionLeavesAgent", testApplyInvalid},
	{"ApplyUnknownAgent", testApplyUnknown},
}

func testPutAgentAdds(t *testing.T, s acd.Store) {
	in := agents.Agent{ID: "a1", Username: "ann", Name: "Ann", Queues: []string{"sales", "support"}, Skills: map[string]int{"en": 4}}
	if err := s.PutAgent(ctx, in); err != nil {
		t.Fatalf("PutAgent: %v", err)
	}
	got := mustAgent(t, s, "a1")
	if got.ID != "a1" || got.Username != "ann" || got.Name != "Ann" ||
		!slices.Equal(got.Queues, in.Queues) || !maps.Equal(got.Skills, in.Skills) {
		t.Errorf("Agent = %+v, want %+v", got, in)
	}
	if got.State != agents.Offline {
		t.Errorf("new agent is %s, want offline", got.State)
	}
}

func testPutAgentKeepsState(t *testing.T, s acd.Store) {
	before := putAgent(t, s, "a1", agents.Busy, "sales")
	if before.CallsTaken != 1 {
		t.Fatalf("setup: calls taken %d, want 1", before.CallsTaken)
	}
	// A config reload: new name, queues and skills, and the zero state.
	update := agents.Agent{ID: "a1", Username: "ann2", Name: "Ann B", Queues: []string{"support", "vip"}, Skills: map[string]int{"fr": 2}}
	if err := s.PutAgent(ctx, update); err != nil {
		t.Fatalf("PutAgent again: %v", err)
	}
	got := mustAgent(t, s, "a1")
	if got.Username != "ann2" || got.Name != "Ann B" || !slices.Equal(got.Queues, update.Queues) || !maps.Equal(got.Skills, update.Skills) {
		t.Errorf("identity not updated: %+v", got)
	}
	if got.State != agents.Busy || !got.StateSince.Equal(before.StateSince) {
		t.Errorf("state %s since %v, want busy since %v (kept)", got.State, got.StateSince, before.StateSince)
	}
	if got.CallsTaken != before.CallsTaken || !got.LastOffered.Equal(before.LastOffered) || !got.IdleSince.Equal(before.IdleSince) {
		t.Errorf("counters not kept: got %+v, had %+v", got, before)
	}
	if all, err := s.Agents(ctx); err != nil || len(all) != 1 {
		t.Errorf("Agents = %d agents, err %v; want 1 (no duplicate)", len(all), err)
	}
}

func testAgentUnknown(t *testing.T, s acd.Store) {
	_, err := s.Agent(ctx, "nobody")
	wantErr(t, "Agent(nobody) on empty store", err, acd.ErrUnknownAgent)
	putAgent(t, s, "a1", agents.Offline)
	_, err = s.Agent(ctx, "a2")
	wantErr(t, "Agent(a2)", err, acd.ErrUnknownAgent)
}

func testAgentsSorted(t *testing.T, s acd.Store) {
	all, err := s.Agents(ctx)
	if err != nil || len(all) != 0 {
		t.Fatalf("Agents on empty store = %v, %v", all, err)
	}
	for _, id := range []string{"c", "a10", "b", "a", "a2"} {
		putAgent(t, s, id, agents.Available)
	}
	all, err = s.Agents(ctx)
	if err != nil {
		t.Fatalf("Agents: %v", err)
	}
	var ids []string
	for _, a := range all {
		ids = append(ids, a.ID)
		if a.State != agents.Available {
			t.Errorf("agent %s is %s, want available", a.ID, a.State)
		}
	}
	if want := []string{"a", "a10", "a2", "b", "c"}; !slices.Equal(ids, want) {
		t.Errorf("Agents ids = %v, want %v", ids, want)
	}
}

// testAgentCopies: neither the value given to PutAgent nor the values
// returned by Agent and Agents share memory with the store.
func testAgentCopies(t *testing.T, s acd.Store) {
	in := agents.Agent{ID: "a1", Username: "ann", Queues: []string{"sales"}, Skills: map[string]int{"en": 3}}
	if err := s.PutAgent(ctx, in); err != nil {
		t.Fatalf("PutAgent: %v", err)
	}
	in.Queues[0], in.Skills["en"] = "mutated", 1

	one := mustAgent(t, s, "a1")
	one.Queues[0], one.Skills["en"] = "mutated", 1
	all, err := s.Agents(ctx)
	if err != nil || len(all) != 1 {
		t.Fatalf("Agents = %v, %v", all, err)
	}
	all[0].Queues[0], all[0].Skills["en"] = "mutated", 1
	all[0].State = agents.Busy

	got := mustAgent(t, s, "a1")
	if !slices.Equal(got.Queues, []string{"sales"}) || got.Skills["en"] != 3 || got.State != agents.Offline {
		t.Errorf("store changed through a copy: %+v", got)
	}
}

func testApplyValid(t *testing.T, s acd.Store) {
	putAgent(t, s, "a1", agents.Offline)
	steps := []struct {
		ev   agents.Event
		want agents.State
	}{
		{agents.Event{Kind: agents.Login}, agents.Available},
		{agents.Event{Kind: agents.Pause, Reason: "lunch"}, agents.Paused},
		{agents.Event{Kind: agents.Unpause}, agents.Available},
		{agents.Event{Kind: agents.Offer}, agents.Ringing},
		{agents.Event{Kind: agents.Pause, Reason: "break"}, agents.Ringing}, // deferred
		{agents.Event{Kind: agents.Miss}, agents.Paused},
		{agents.Event{Kind: agents.Logout}, agents.Offline},
	}
	for i, st := range steps {
		now := at(10 * (i + 1))
		got, err := s.Apply(ctx, "a1", st.ev, now)
		if err != nil {
			t.Fatalf("step %d %s: %v", i, st.ev.Kind, err)
		}
		if got.State != st.want {
			t.Fatalf("step %d %s: returned %s, want %s", i, st.ev.Kind, got.State, st.want)
		}
		stored := mustAgent(t, s, "a1")
		if stored.State != got.State || !stored.StateSince.Equal(got.StateSince) ||
			stored.PauseReason != got.PauseReason || stored.Misses != got.Misses {
			t.Fatalf("step %d %s: stored %+v differs from returned %+v", i, st.ev.Kind, stored, got)
		}
	}
	if a := mustAgent(t, s, "a1"); a.Misses != 1 || !a.LastOffered.Equal(at(40)) {
		t.Errorf("misses %d last offered %v, want 1 and %v", a.Misses, a.LastOffered, at(40))
	}
}

func testApplyInvalid(t *testing.T, s acd.Store) {
	before := putAgent(t, s, "a1", agents.Available)
	for _, k := range []agents.EventKind{agents.Answer, agents.Unpause, agents.Hangup, agents.WrapUpDone, agents.Miss} {
		_, err := s.Apply(ctx, "a1", agents.Event{Kind: k}, at(100))
		wantErr(t, "Apply "+k.String()+" while available", err, agents.ErrInvalidTransition)
	}
	got := mustAgent(t, s, "a1")
	if got.State != agents.Available || !got.StateSince.Equal(before.StateSince) || got.Misses != before.Misses {
		t.Errorf("refused events changed the agent: %+v, was %+v", got, before)
	}

	putAgent(t, s, "a2", agents.Offline)
	_, err := s.Apply(ctx, "a2", agents.Event{Kind: agents.Offer}, at(100))
	wantErr(t, "Apply offer while offline", err, agents.ErrInvalidTransition)
	wantState(t, s, "a2", agents.Offline)
}

func testApplyUnknown(t *testing.T, s acd.Store) {
	_, err := s.Apply(ctx, "ghost", agents.Event{Kind: agents.Login}, t0)
	wantErr(t, "Apply to unknown agent", err, acd.ErrUnknownAgent)
	if _, err := s.Agent(ctx, "ghost"); err == nil {
		t.Errorf("Apply to an unknown agent created it")
	}
}
