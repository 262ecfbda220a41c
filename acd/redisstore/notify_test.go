package redisstore

import (
	"context"
	"testing"
	"time"

	"github.com/sme/acd/internal/redistest"
)

// received waits up to d for a value on ch.
func received(ch <-chan struct{}, d time.Duration) bool {
	select {
	case _, ok := <-ch:
		return ok
	case <-time.After(d):
		return false
	}
}

// TestNotify: a node hears the other nodes of its prefix, not itself nor
// nodes of another prefix, once on subscribing and once per notification;
// the channel closes with the context.
func TestNotify(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t)
	ns := nodes(t, srv, 0, 2)
	other := New(srv.Client(t), Options{Prefix: uniquePrefix(t), Node: "elsewhere"})
	sctx, cancel := context.WithCancel(ctx)
	ch, err := ns[1].Subscribe(sctx)
	if err != nil {
		t.Fatal(err)
	}
	if !received(ch, 5*time.Second) {
		t.Fatal("no signal on subscribing")
	}
	for _, n := range []*Store{ns[1], other} {
		if err := n.Notify(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if received(ch, 200*time.Millisecond) {
		t.Fatal("signal for the node's own notification or another prefix's")
	}
	for range 3 {
		if err := ns[0].Notify(ctx); err != nil {
			t.Fatal(err)
		}
		if !received(ch, 5*time.Second) {
			t.Fatal("no signal for the other node's notification")
		}
	}
	cancel()
	deadline := time.After(5 * time.Second)
	for {
		select {
		case _, ok := <-ch:
			if !ok {
				return
			}
		case <-deadline:
			t.Fatal("channel not closed after the context ended")
		}
	}
}

// TestNotifyAfterRestart: once Redis is back, the subscription is
// re-established by itself and says so with a signal, then carries
// notifications again.
func TestNotifyAfterRestart(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t)
	ns := nodes(t, srv, 0, 2)
	ch, err := ns[1].Subscribe(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if !received(ch, 5*time.Second) {
		t.Fatal("no signal on subscribing")
	}
	srv.Restart()
	if !received(ch, 15*time.Second) {
		t.Fatal("no signal on resubscribing after the restart")
	}
	if err := ns[0].Notify(ctx); err != nil {
		t.Fatal(err)
	}
	if !received(ch, 5*time.Second) {
		t.Fatal("no signal for a notification after the restart")
	}
}
