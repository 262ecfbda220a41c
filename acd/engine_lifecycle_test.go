package acd_test

// Engine tests of lifetimes: timers that outlive the caller's context, and
// draining / dropping every call at shutdown.

import (
	"context"
	"errors"
	"slices"
	"testing"
	"testing/synctest"
	"time"

	"github.com/sme/acd/acd"
	"github.com/sme/acd/agents"
	"github.com/sme/acd/queue"
)

// The SIP side cancels the context it passes to Enqueue and Ended as soon as
// they return; timers started there must still reach a networked store.
func TestEngineTimersOutliveCallerContext(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sales := queueCfg("sales", acd.LongestIdle{})
		sales.WrapUp = 10 * time.Second
		sales.MaxWait = 30 * time.Second
		h := newHarness(t, acd.EngineConfig{Queues: []acd.QueueConfig{sales}})
		h.addAgent("a1", "sales")
		call := func(f func(ctx context.Context) error) {
			t.Helper()
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			if err := f(ctx); err != nil {
				t.Fatal(err)
			}
		}
		call(func(ctx context.Context) error { return h.eng.Enqueue(ctx, queue.Call{ID: "c1", Queue: "sales"}) })
		synctest.Wait()
		h.wantOffer("c1", "a1")
		h.answer("c1", "a1")
		call(func(ctx context.Context) error { return h.eng.Ended(ctx, "c1", acd.ReasonCaller) })
		call(func(ctx context.Context) error { return h.eng.Enqueue(ctx, queue.Call{ID: "c2", Queue: "sales"}) })
		sleep(10 * time.Second)
		if got := h.events.agentStates("a1"); !slices.Contains(got, "available/wrap-up-done") {
			t.Fatalf("a1 states %v: wrap-up never ended", got)
		}
		h.wantOffer("c2", "a1")
		call(func(ctx context.Context) error {
			return h.eng.NotAnswered(ctx, "c2", []acd.RingResult{{Agent: "a1", Reason: acd.ReasonNoAnswer}})
		})
		synctest.Wait()
		h.wantOffer("c2", "a1")
		if _, err := h.eng.Command(h.ctx, "a1", agents.Event{Kind: agents.Pause, Reason: "x"}); err != nil {
			t.Fatal(err)
		}
		call(func(ctx context.Context) error {
			return h.eng.NotAnswered(ctx, "c2", []acd.RingResult{{Agent: "a1", Reason: acd.ReasonNoAnswer}})
		})
		sleep(20 * time.Second) // c2's max wait passes while it waits
		h.events.callEvent(t, "c2", acd.EvTimedOut)
		if got := h.waiting(); len(got) != 0 {
			t.Errorf("timed-out call still waiting in the store: %v", got)
		}
	})
}

func TestEngineDrainAndDropAll(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, acd.EngineConfig{Queues: []acd.QueueConfig{queueCfg("sales", acd.LongestIdle{})}})
		h.addAgent("a1", "sales")
		h.addAgent("a2", "sales")
		h.enqueue("c1", "sales")
		h.enqueue("c2", "sales")
		synctest.Wait()
		if n := len(h.tel.takeOffers()); n != 2 {
			t.Fatalf("%d offers, want 2", n)
		}
		h.answer("c1", "a1") // c1 connected, c2 ringing a2
		h.enqueue("c3", "sales")
		synctest.Wait()
		if n := h.active(); n != 3 {
			t.Fatalf("%d active calls, want 3", n)
		}

		if err := h.eng.Drain(h.ctx); err != nil {
			t.Fatal(err)
		}
		err := h.eng.Enqueue(h.ctx, queue.Call{ID: "c4", Queue: "sales"})
		if !errors.Is(err, acd.ErrShuttingDown) {
			t.Fatalf("Enqueue while draining: %v, want ErrShuttingDown", err)
		}
		if got := h.events.callTypes("c4"); len(got) != 0 {
			t.Errorf("c4 events %v", got)
		}
		if n := h.active(); n != 3 {
			t.Errorf("%d active calls after drain, want 3", n)
		}

		if err := h.eng.DropAll(h.ctx, acd.ReasonShutdown); err != nil {
			t.Fatal(err)
		}
		d := h.tel.takeDrops()
		slices.SortFunc(d, func(a, b dropped) int { return cmpString(string(a.ID), string(b.ID)) })
		if want := []dropped{{"c1", "shutdown"}, {"c2", "shutdown"}, {"c3", "shutdown"}}; !slices.Equal(d, want) {
			t.Errorf("drops %v, want %v", d, want)
		}
		for _, id := range []queue.CallID{"c3", "c2", "c1"} {
			h.end(id, acd.ReasonShutdown)
		}
		synctest.Wait()
		h.events.callEvent(t, "c3", acd.EvDropped)
		h.events.callEvent(t, "c2", acd.EvDropped)
		if ev := h.events.callEvent(t, "c1", acd.EvCompleted); ev.Reason != acd.ReasonShutdown {
			t.Errorf("c1 completed %+v", ev)
		}
		if n := h.active(); n != 0 {
			t.Errorf("%d active calls, want 0", n)
		}
		h.wantState("a1", agents.Available)
		h.wantState("a2", agents.Available)
		h.wantNoOffer()
	})
}

func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
