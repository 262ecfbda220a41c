package redisstore

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/sme/acd/acd"
	"github.com/sme/acd/internal/redistest"
)

func streamEvent(i int, node string) acd.Event {
	return acd.Event{Time: t0.Add(time.Duration(i) * time.Second), Type: acd.EvEntered, Node: node,
		CallID: fmt.Sprintf("%s-c%d", node, i), Queue: "sales"}
}

func callIDs(evs []acd.Event) []string {
	var out []string
	for _, ev := range evs {
		out = append(out, ev.CallID)
	}
	return out
}

// TestStreamLogTwoWriters: two nodes append to one stream; a read returns
// every event once, in the order written.
func TestStreamLogTwoWriters(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t)
	prefix := uniquePrefix(t)
	a := NewStreamLog(srv.Client(t), StreamOptions{Prefix: prefix, Node: "a"})
	b := NewStreamLog(srv.Client(t), StreamOptions{Prefix: prefix, Node: "b"})
	var want []string
	for i := range 1500 { // more than one XRANGE page
		w, node := a, "a"
		if i%3 == 0 {
			w, node = b, "b"
		}
		ev := streamEvent(i, node)
		if err := w.Append(ev); err != nil {
			t.Fatal(err)
		}
		want = append(want, ev.CallID)
	}
	for _, l := range []*StreamLog{a, b} {
		if err := l.Close(); err != nil {
			t.Fatal(err)
		}
	}
	evs, err := ReadEvents(ctx, srv.Client(t), prefix)
	if err != nil {
		t.Fatal(err)
	}
	if got := callIDs(evs); !slices.Equal(got, want) {
		t.Fatalf("read %d events, want %d in order (first %v)", len(got), len(want), got[:min(5, len(got))])
	}
	if !evs[1].Time.Equal(t0.Add(time.Second)) || evs[1].Queue != "sales" || evs[1].Type != acd.EvEntered {
		t.Errorf("event %+v not read back as written", evs[1])
	}
	if err := a.Append(streamEvent(0, "a")); err == nil {
		t.Error("Append after Close succeeded")
	}
}

// TestStreamLogRepeatsDropped: an event written twice (its first write's
// answer lost) is read once.
func TestStreamLogRepeatsDropped(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t)
	prefix := uniquePrefix(t)
	client := srv.Client(t)
	l := NewStreamLog(client, StreamOptions{Prefix: prefix, Node: "a"})
	t.Cleanup(func() { l.Close() })
	for i := range 3 {
		if err := l.Append(streamEvent(i, "a")); err != nil {
			t.Fatal(err)
		}
	}
	// Write the second entry again, as a retried pipeline would.
	msgs, err := client.XRange(ctx, StreamKey(prefix), "-", "+").Result()
	if err != nil || len(msgs) != 3 {
		t.Fatalf("XRANGE: %d entries, %v", len(msgs), err)
	}
	v := msgs[1].Values
	if err := client.XAdd(ctx, &redis.XAddArgs{Stream: StreamKey(prefix), Values: []any{"event", v["event"], "w", v["w"], "n", v["n"]}}).Err(); err != nil {
		t.Fatal(err)
	}
	evs, err := ReadEvents(ctx, client, prefix)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := callIDs(evs), []string{"a-c0", "a-c1", "a-c2"}; !slices.Equal(got, want) {
		t.Errorf("read %v, want %v", got, want)
	}
}

// TestStreamLogOutage: while Redis is down events are kept, in order, and
// Append does not fail; once Redis is back they are written, after the
// ones written before and before the ones appended since.
func TestStreamLogOutage(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t)
	prefix := uniquePrefix(t)
	opts := srv.Options()
	opts.MaxRetries, opts.DialerRetries, opts.DialTimeout = 1, 1, time.Second
	client := redis.NewClient(opts)
	t.Cleanup(func() { client.Close() })
	l := NewStreamLog(client, StreamOptions{Prefix: prefix, Node: "a", Timeout: time.Second})
	t.Cleanup(func() { l.Close() })

	srv.Stop()
	for i := range 5 {
		began := time.Now()
		if err := l.Append(streamEvent(i, "a")); err != nil {
			t.Fatalf("Append with Redis down: %v", err)
		}
		if d := time.Since(began); d > 3*time.Second {
			t.Errorf("Append took %v with Redis down", d)
		}
	}
	if n := l.Pending(); n != 5 {
		t.Fatalf("Pending = %d, want 5", n)
	}
	srv.Restart() // empty: the stream starts again
	deadline := time.Now().Add(10 * time.Second)
	for l.Pending() > 0 {
		if time.Now().After(deadline) {
			t.Fatalf("%d events still pending 10s after Redis came back", l.Pending())
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := l.Append(streamEvent(5, "a")); err != nil {
		t.Fatal(err)
	}
	evs, err := ReadEvents(ctx, client, prefix)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := callIDs(evs), []string{"a-c0", "a-c1", "a-c2", "a-c3", "a-c4", "a-c5"}; !slices.Equal(got, want) {
		t.Errorf("read %v, want %v", got, want)
	}
}

// TestStreamLogBacklog: beyond MaxPending kept events Append fails, and
// Close reports what it could not write.
func TestStreamLogBacklog(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t)
	opts := srv.Options()
	opts.MaxRetries, opts.DialerRetries, opts.DialTimeout = 1, 1, time.Second
	client := redis.NewClient(opts)
	t.Cleanup(func() { client.Close() })
	l := NewStreamLog(client, StreamOptions{Prefix: uniquePrefix(t), Node: "a", MaxPending: 2})
	srv.Stop()
	for i := range 2 {
		if err := l.Append(streamEvent(i, "a")); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.Append(streamEvent(2, "a")); !errors.Is(err, ErrStreamBacklog) {
		t.Errorf("third Append = %v, want ErrStreamBacklog", err)
	}
	if err := l.Close(); err == nil || !strings.Contains(err.Error(), "2 events not written") {
		t.Errorf("Close = %v, want 2 events not written", err)
	}
}
