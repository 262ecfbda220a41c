package redisstore

import (
	"errors"
	"slices"
	"testing"

	"github.com/sme/acd/acd"
	"github.com/sme/acd/agents"
	"github.com/sme/acd/internal/redistest"
	"github.com/sme/acd/queue"
)

// TestOddIDsRoundTrip: ids and names with bytes JSON escapes, dots, colons
// and braces keep their identity through every operation, and nothing is
// left behind in the zset or the queue counts.
func TestOddIDsRoundTrip(t *testing.T) {
	t.Parallel()
	s := nodes(t, redistest.Start(t), 0, 1)[0]
	odd := []queue.CallID{`<&>"\`, "a.b:c{d}", "tab\there", "é\u2028😀", "nul\x00byte", ""}
	for i, id := range odd {
		c := call(string(id), i)
		c.Queue = "q<&>{x}"
		if err := s.Enqueue(ctx, c, 10); err != nil {
			t.Fatalf("Enqueue(%q): %v", id, err)
		}
	}
	if got := waitingIDs(t, s); !slices.Equal(got, odd) {
		t.Fatalf("waiting %q, want %q", got, odd)
	}
	putAvailable(t, s, `agent "<1>"`)
	if c, claimed, err := s.Claim(ctx, odd[0], []string{`agent "<1>"`}, at(50)); err != nil || c.ID != odd[0] || len(claimed) != 1 {
		t.Fatalf("Claim(%q) = %q, %v, %v", odd[0], c.ID, claimed, err)
	}
	for _, id := range odd[1:] {
		if c, err := s.Remove(ctx, id); err != nil || c.ID != id {
			t.Fatalf("Remove(%q) = %q, %v", id, c.ID, err)
		}
	}
	if n, err := s.rdb.ZCard(ctx, s.kWaiting).Result(); err != nil || n != 0 {
		t.Errorf("waiting zset has %d members left (%v)", n, err)
	}
	if m, err := s.rdb.HGetAll(ctx, s.kQlen).Result(); err != nil || len(m) != 0 {
		t.Errorf("queue counts left: %v (%v)", m, err)
	}
	mustApply(t, s, `agent "<1>"`, agents.Event{Kind: agents.Cancel})
}

// TestInvalidUTF8Refused: a Call-ID, agent id or contact URI that is not
// UTF-8 would not survive JSON; the store refuses it instead of storing a
// value that no longer matches its key.
func TestInvalidUTF8Refused(t *testing.T) {
	t.Parallel()
	s := nodes(t, redistest.Start(t), 0, 1)[0]
	bad := "bad\xff"
	if err := s.Enqueue(ctx, call(bad, 1), 0); !errors.Is(err, ErrNotUTF8) {
		t.Errorf("Enqueue: %v, want ErrNotUTF8", err)
	}
	if err := s.Requeue(ctx, call(bad, 1)); !errors.Is(err, ErrNotUTF8) {
		t.Errorf("Requeue: %v, want ErrNotUTF8", err)
	}
	if err := s.PutAgent(ctx, agents.Agent{ID: bad}); !errors.Is(err, ErrNotUTF8) {
		t.Errorf("PutAgent: %v, want ErrNotUTF8", err)
	}
	if err := s.Register(ctx, "u", acd.Contact{URI: "sip:" + bad, Expires: at(60)}); !errors.Is(err, ErrNotUTF8) {
		t.Errorf("Register: %v, want ErrNotUTF8", err)
	}
	if ids := waitingIDs(t, s); len(ids) != 0 {
		t.Errorf("waiting %q after refusals", ids)
	}
}
