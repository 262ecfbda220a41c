package live_test

import (
	"testing"
	"time"

	"github.com/sme/acd/acd"
	"github.com/sme/acd/acd/live"
)

func TestSubscriberGetsEveryChange(t *testing.T) {
	tr := live.NewTracker(nil, queues, time.UTC, func() time.Time { return at("10:00:00") })
	ch, cancel := tr.Subscribe(8)
	defer cancel()
	_ = tr.Append(acd.Event{Time: at("09:59:00"), Type: acd.EvEntered, CallID: "c1", Queue: "support"})
	_ = tr.Append(acd.Event{Time: at("09:59:01"), Type: acd.EvAgentState, Agent: "a1", State: "paused"})
	for i, want := range []live.Change{
		{Seq: 1, Type: acd.EvEntered, Queue: "support"},
		{Seq: 2, Type: acd.EvAgentState, Agent: "a1"},
	} {
		select {
		case got := <-ch:
			if got != want {
				t.Fatalf("change %d = %+v, want %+v", i, got, want)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("change %d never came", i)
		}
	}
}

// A subscriber that stops reading is dropped when its buffer is full; the
// event log writer never waits for it, and other subscribers go on.
func TestSlowSubscriberIsDroppedNotWaitedFor(t *testing.T) {
	tr := live.NewTracker(nil, queues, time.UTC, func() time.Time { return at("10:00:00") })
	slow, cancelSlow := tr.Subscribe(2)
	defer cancelSlow()
	fast, cancelFast := tr.Subscribe(1)
	defer cancelFast()
	got := make(chan int)
	go func() {
		n := 0
		for range fast {
			n++
			if n == 1000 {
				break
			}
		}
		got <- n
	}()

	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range 1000 {
			_ = tr.Append(acd.Event{Time: at("09:59:00"), Type: acd.EvAgentState, Agent: "a1", State: []string{"paused", "available"}[i%2]})
		}
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Append blocked on a subscriber that does not read")
	}

	// The slow one got its two buffered changes, then its channel closed.
	n := 0
	for range slow {
		n++
	}
	if n != 2 {
		t.Fatalf("slow subscriber got %d changes before being dropped, want 2", n)
	}
	// The fast one may also have been dropped (a buffer of 1 with a reader
	// racing the writer); either way Append went on, and Subscribers shows
	// who is left.
	cancelFast()
	if k := <-got; k == 0 {
		t.Fatal("fast subscriber got nothing")
	}
	if n := tr.Subscribers(); n != 0 {
		t.Fatalf("%d subscribers left", n)
	}
	cancelSlow() // a second cancel is harmless
}
