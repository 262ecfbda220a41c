package redisstore

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/sme/acd/acd"
	"github.com/sme/acd/agents"
	"github.com/sme/acd/internal/redistest"
)

// TestRedisRestart: while Redis is down every operation fails promptly
// with an error that says what failed; once Redis is back (empty: the test
// server keeps nothing on disk) the same Store works again without being
// rebuilt, go-redis reconnecting by itself.
func TestRedisRestart(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t)
	// Fail fast, as an ACD that must answer callers 503 would configure it:
	// go-redis's defaults retry a refused dial for seconds.
	opts := srv.Options()
	opts.MaxRetries, opts.DialerRetries, opts.DialTimeout = 1, 1, time.Second
	client := redis.NewClient(opts)
	t.Cleanup(func() { client.Close() })
	s := New(client, Options{Prefix: uniquePrefix(t), Node: "n1"})
	putAvailable(t, s, "a1")

	srv.Stop()
	ops := []struct {
		prefix string
		run    func(context.Context) error
	}{
		{"put agent a1:", func(ctx context.Context) error { return s.PutAgent(ctx, agents.Agent{ID: "a1"}) }},
		{"get agent a1:", func(ctx context.Context) error { _, err := s.Agent(ctx, "a1"); return err }},
		{"list agents:", func(ctx context.Context) error { _, err := s.Agents(ctx); return err }},
		{"apply login to agent a1:", func(ctx context.Context) error {
			_, err := s.Apply(ctx, "a1", agents.Event{Kind: agents.Login}, t0)
			return err
		}},
		{"enqueue c1 in sales:", func(ctx context.Context) error { return s.Enqueue(ctx, call("c1", 1), 0) }},
		{"requeue c1 in sales:", func(ctx context.Context) error { return s.Requeue(ctx, call("c1", 1)) }},
		{"remove call c1:", func(ctx context.Context) error { _, err := s.Remove(ctx, "c1"); return err }},
		{"list waiting calls:", func(ctx context.Context) error { _, err := s.Waiting(ctx); return err }},
		{"claim call c1:", func(ctx context.Context) error { _, _, err := s.Claim(ctx, "c1", []string{"a1"}, t0); return err }},
		{"register sip:a@x for u:", func(ctx context.Context) error {
			return s.Register(ctx, "u", acd.Contact{URI: "sip:a@x", Expires: at(3600)})
		}},
		{"unregister * for u:", func(ctx context.Context) error { return s.Unregister(ctx, "u", "*") }},
		{"contacts of u:", func(ctx context.Context) error { _, err := s.Contacts(ctx, "u", t0); return err }},
		{"refresh lease " + s.Incarnation() + ":", s.RefreshLeases},
		{"reap expired leases:", func(ctx context.Context) error { _, err := s.ReapExpired(ctx, t0); return err }},
	}
	for _, op := range ops {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		began := time.Now()
		err := op.run(ctx)
		cancel()
		switch {
		case err == nil:
			t.Errorf("%s succeeded with Redis down", op.prefix)
		case !strings.HasPrefix(err.Error(), op.prefix):
			t.Errorf("error %q does not start with %q", err, op.prefix)
		case errors.Is(err, context.DeadlineExceeded):
			t.Errorf("%s hung until the deadline instead of failing: %v", op.prefix, err)
		case errors.Is(err, acd.ErrUnknownAgent), errors.Is(err, acd.ErrCallNotWaiting):
			t.Errorf("%s: Redis down reported as %v", op.prefix, err)
		}
		if d := time.Since(began); d > 3*time.Second {
			t.Errorf("%s took %v to fail", op.prefix, d)
		}
	}

	srv.Restart()
	began := time.Now()
	end := began.Add(10 * time.Second)
	for {
		err := s.PutAgent(ctx, agents.Agent{ID: "a1", Username: "u-a1", Queues: []string{"sales"}})
		if err == nil {
			t.Logf("store working again %v after Redis restarted", time.Since(began).Round(time.Millisecond))
			break
		}
		if time.Now().After(end) {
			t.Fatalf("store still failing 10s after Redis restarted: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	mustApply(t, s, "a1", agents.Event{Kind: agents.Login})
	mustEnqueue(t, s, call("c1", 1))
	mustClaim(t, s, "c1", "a1")
	if a := mustAgent(t, s, "a1"); a.State != agents.Ringing {
		t.Errorf("a1 is %s after the claim, want ringing", a.State)
	}
}
