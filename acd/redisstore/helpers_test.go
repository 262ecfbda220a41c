package redisstore

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sme/acd/agents"
	"github.com/sme/acd/internal/redistest"
	"github.com/sme/acd/queue"
)

var ctx = context.Background()

// t0 is the fixed clock the tests hand to the store; leases use Redis's own.
var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

func at(sec int) time.Time { return t0.Add(time.Duration(sec) * time.Second) }

// prefixes makes every store in a test binary use its own key namespace.
var prefixes atomic.Int64

func uniquePrefix(t testing.TB) string {
	return fmt.Sprintf("%s#%d:", t.Name(), prefixes.Add(1))
}

// nodes returns n stores sharing one fresh namespace on srv, as n ACD
// nodes would, each with its own client (its own connection pool).
func nodes(t testing.TB, srv *redistest.Server, lease time.Duration, n int) []*Store {
	t.Helper()
	prefix := uniquePrefix(t)
	out := make([]*Store, n)
	for i := range out {
		out[i] = New(srv.Client(t), Options{Prefix: prefix, Node: fmt.Sprintf("n%d", i+1), Lease: lease})
	}
	return out
}

// putAvailable adds logged-in agents through s.
func putAvailable(t testing.TB, s *Store, ids ...string) {
	t.Helper()
	for _, id := range ids {
		if err := s.PutAgent(ctx, agents.Agent{ID: id, Username: "u-" + id, Queues: []string{"sales"}}); err != nil {
			t.Fatalf("PutAgent(%s): %v", id, err)
		}
		if _, err := s.Apply(ctx, id, agents.Event{Kind: agents.Login}, t0); err != nil {
			t.Fatalf("Login(%s): %v", id, err)
		}
	}
}

func call(id string, sec int) queue.Call {
	return queue.Call{ID: queue.CallID(id), Queue: "sales", Caller: "+49" + id, Arrived: at(sec)}
}

func mustEnqueue(t testing.TB, s *Store, cs ...queue.Call) {
	t.Helper()
	for _, c := range cs {
		if err := s.Enqueue(ctx, c, 0); err != nil {
			t.Fatalf("Enqueue(%s): %v", c.ID, err)
		}
	}
}

func mustClaim(t testing.TB, s *Store, id string, agentIDs ...string) {
	t.Helper()
	if _, _, err := s.Claim(ctx, queue.CallID(id), agentIDs, at(50)); err != nil {
		t.Fatalf("Claim(%s, %v) on %s: %v", id, agentIDs, s.node, err)
	}
}

func mustApply(t testing.TB, s *Store, id string, ev agents.Event) agents.Agent {
	t.Helper()
	a, err := s.Apply(ctx, id, ev, at(60))
	if err != nil {
		t.Fatalf("Apply(%s, %s) on %s: %v", id, ev.Kind, s.node, err)
	}
	return a
}

func mustAgent(t testing.TB, s *Store, id string) agents.Agent {
	t.Helper()
	a, err := s.Agent(ctx, id)
	if err != nil {
		t.Fatalf("Agent(%s): %v", id, err)
	}
	return a
}

// owners reads the owner hash: agent id -> incarnation.
func owners(t testing.TB, s *Store) map[string]string {
	t.Helper()
	m, err := s.rdb.HGetAll(ctx, s.kOwner).Result()
	if err != nil {
		t.Fatalf("read owners: %v", err)
	}
	return m
}

func waitingIDs(t testing.TB, s *Store) []queue.CallID {
	t.Helper()
	w, err := s.Waiting(ctx)
	if err != nil {
		t.Fatalf("Waiting: %v", err)
	}
	var ids []queue.CallID
	for _, c := range w {
		ids = append(ids, c.ID)
	}
	return ids
}
