package redisstore

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/sme/acd/agents"
	"github.com/sme/acd/internal/redistest"
	"github.com/sme/acd/queue"
)

const shortLease = 500 * time.Millisecond

// reapUntil runs ReapExpired on s until it reaps something, failing the
// test after deadline.
func reapUntil(t *testing.T, s *Store, deadline time.Duration) Reaped {
	t.Helper()
	end := time.Now().Add(deadline)
	for {
		r, err := s.ReapExpired(ctx, at(200))
		if err != nil {
			t.Fatalf("ReapExpired: %v", err)
		}
		if !r.Empty() {
			return r
		}
		if time.Now().After(end) {
			t.Fatalf("nothing reaped within %v", deadline)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestLeaseExpiryFreesAgent: a node holding agents in every reserved
// state and a waiting call stops refreshing its lease (it died). Another
// node's ReapExpired frees the agents through the state machine, keeps a
// pause asked for meanwhile, drops the call, and leaves the live node's
// reservations alone. The dead node, back from the grave, cannot answer
// for an agent claimed since.
func TestLeaseExpiryFreesAgent(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t)
	prefix := uniquePrefix(t)
	dead := New(srv.Client(t), Options{Prefix: prefix, Node: "dead", Lease: shortLease})
	live := New(srv.Client(t), Options{Prefix: prefix, Node: "live", Lease: time.Minute})

	putAvailable(t, dead, "ring", "busy", "wrap", "pend", "free", "other")
	mustEnqueue(t, dead, call("c-ring", 1), call("c-busy", 2), call("c-wrap", 3), call("c-pend", 4), call("c-dead", 5))
	mustEnqueue(t, live, call("c-other", 6), call("c-live", 7))
	mustClaim(t, dead, "c-ring", "ring")
	mustClaim(t, dead, "c-busy", "busy")
	mustApply(t, dead, "busy", agents.Event{Kind: agents.Answer})
	mustClaim(t, dead, "c-wrap", "wrap")
	mustApply(t, dead, "wrap", agents.Event{Kind: agents.Answer})
	mustApply(t, dead, "wrap", agents.Event{Kind: agents.Hangup})
	mustClaim(t, dead, "c-pend", "pend")
	mustApply(t, live, "pend", agents.Event{Kind: agents.Pause, Reason: "lunch"}) // deferred
	mustClaim(t, live, "c-other", "other")

	// While the lease runs nothing is reaped.
	if err := dead.RefreshLeases(ctx); err != nil {
		t.Fatalf("RefreshLeases: %v", err)
	}
	if r, err := live.ReapExpired(ctx, at(100)); err != nil || !r.Empty() {
		t.Fatalf("ReapExpired within the lease = %+v, %v; want nothing", r, err)
	}

	r := reapUntil(t, live, 20*shortLease)
	if want := []string{"busy", "pend", "ring", "wrap"}; !slices.Equal(r.Agents, want) {
		t.Errorf("freed agents %v, want %v", r.Agents, want)
	}
	if len(r.Calls) != 1 || r.Calls[0].ID != "c-dead" || !r.Calls[0].Arrived.Equal(at(5)) {
		t.Errorf("dropped calls %+v, want c-dead", r.Calls)
	}
	if !slices.Equal(r.Nodes, []string{dead.Incarnation()}) {
		t.Errorf("dead nodes %v, want [%s]", r.Nodes, dead.Incarnation())
	}

	for _, id := range []string{"ring", "busy", "wrap", "free"} {
		if a := mustAgent(t, live, id); a.State != agents.Available {
			t.Errorf("%s is %s, want available", id, a.State)
		}
	}
	if a := mustAgent(t, live, "busy"); a.CallsTaken != 1 || !a.StateSince.Equal(at(200)) {
		t.Errorf("busy: calls taken %d since %v, want 1 since %v", a.CallsTaken, a.StateSince, at(200))
	}
	if a := mustAgent(t, live, "pend"); a.State != agents.Paused || a.PauseReason != "lunch" {
		t.Errorf("pend is %s (%q), want paused for lunch", a.State, a.PauseReason)
	}
	if a := mustAgent(t, live, "other"); a.State != agents.Ringing {
		t.Errorf("the live node's agent is %s, want still ringing", a.State)
	}
	if own := owners(t, live); len(own) != 1 || own["other"] != live.Incarnation() {
		t.Errorf("owners %v, want only other held by the live node", own)
	}
	if ids := waitingIDs(t, live); !slices.Equal(ids, []queue.CallID{"c-live"}) {
		t.Errorf("waiting %v, want [c-live]", ids)
	}
	if r, err := live.ReapExpired(ctx, at(201)); err != nil || !r.Empty() {
		t.Errorf("second ReapExpired = %+v, %v; want nothing", r, err)
	}

	// The live node rings "ring" for its call; the dead node's stale
	// answer for the old call must not take it.
	mustClaim(t, live, "c-live", "ring")
	if _, err := dead.Apply(ctx, "ring", agents.Event{Kind: agents.Answer}, at(210)); !errors.Is(err, agents.ErrInvalidTransition) {
		t.Errorf("stale answer from the dead node: err %v, want ErrInvalidTransition", err)
	}
	if a := mustAgent(t, live, "ring"); a.State != agents.Ringing {
		t.Errorf("ring is %s after the stale answer, want ringing for the live node", a.State)
	}
}

// TestRefreshKeepsLease: a node that refreshes its lease well within the
// TTL keeps its agent for several TTLs; once it stops, the agent is freed.
func TestRefreshKeepsLease(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t)
	prefix := uniquePrefix(t)
	holder := New(srv.Client(t), Options{Prefix: prefix, Node: "holder", Lease: shortLease})
	reaper := New(srv.Client(t), Options{Prefix: prefix, Node: "reaper", Lease: time.Minute})
	putAvailable(t, holder, "a1")
	mustEnqueue(t, holder, call("c1", 1))
	mustClaim(t, holder, "c1", "a1")

	tick := time.NewTicker(shortLease / 10)
	defer tick.Stop()
	for end := time.Now().Add(3 * shortLease); time.Now().Before(end); <-tick.C {
		if err := holder.RefreshLeases(ctx); err != nil {
			t.Fatalf("RefreshLeases: %v", err)
		}
		if r, err := reaper.ReapExpired(ctx, at(100)); err != nil || !r.Empty() {
			t.Fatalf("ReapExpired while refreshed = %+v, %v; want nothing", r, err)
		}
	}
	if a := mustAgent(t, reaper, "a1"); a.State != agents.Ringing {
		t.Fatalf("a1 is %s while its lease is refreshed, want ringing", a.State)
	}

	r := reapUntil(t, reaper, 20*shortLease)
	if !slices.Equal(r.Agents, []string{"a1"}) {
		t.Errorf("freed %v, want [a1]", r.Agents)
	}
	if a := mustAgent(t, reaper, "a1"); a.State != agents.Available {
		t.Errorf("a1 is %s, want available", a.State)
	}
}

// TestRestartedNodeDoesNotInheritLeases: a node that dies and comes back
// under the same name is a new incarnation; refreshing its lease does not
// keep the dead process's agents reserved.
func TestRestartedNodeDoesNotInheritLeases(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t)
	prefix := uniquePrefix(t)
	before := New(srv.Client(t), Options{Prefix: prefix, Node: "n1", Lease: shortLease})
	putAvailable(t, before, "a1")
	mustEnqueue(t, before, call("c1", 1))
	mustClaim(t, before, "c1", "a1")

	after := New(srv.Client(t), Options{Prefix: prefix, Node: "n1", Lease: shortLease})
	if after.Incarnation() == before.Incarnation() {
		t.Fatalf("two stores share incarnation %s", after.Incarnation())
	}
	end := time.Now().Add(20 * shortLease)
	for {
		if err := after.RefreshLeases(ctx); err != nil {
			t.Fatalf("RefreshLeases: %v", err)
		}
		r, err := after.ReapExpired(ctx, at(100))
		if err != nil {
			t.Fatalf("ReapExpired: %v", err)
		}
		if slices.Equal(r.Agents, []string{"a1"}) {
			break
		}
		if time.Now().After(end) {
			t.Fatalf("a1 not freed within %v although its incarnation died", 20*shortLease)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
