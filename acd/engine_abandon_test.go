package acd_test

// Engine tests of calls that end without reaching an agent: the caller
// abandons while waiting or ringing, max wait runs out, or the queue is full
// or unknown. Same setup as engine_test.go: real engine, memory store, fake
// telephony, synctest's fake clock.

import (
	"errors"
	"slices"
	"testing"
	"testing/synctest"
	"time"

	"github.com/sme/acd/acd"
	"github.com/sme/acd/agents"
	"github.com/sme/acd/queue"
)

func TestEngineAbandonWhileWaiting(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, acd.EngineConfig{Queues: []acd.QueueConfig{queueCfg("sales", acd.LongestIdle{})}})
		h.enqueue("c1", "sales")
		sleep(7 * time.Second)
		h.end("c1", acd.ReasonCaller)
		ab := h.events.callEvent(t, "c1", acd.EvAbandoned)
		if ab.WaitMS != 7000 || ab.Reason != acd.ReasonCaller || ab.Queue != "sales" {
			t.Errorf("abandoned event %+v, want 7000 ms, reason caller", ab)
		}
		if got := h.waiting(); len(got) != 0 {
			t.Errorf("still waiting: %v", got)
		}
		if n := h.active(); n != 0 {
			t.Errorf("%d active calls", n)
		}
		// A late report about the call changes nothing.
		h.end("c1", acd.ReasonCaller)
		if n := len(h.events.of(acd.EvAbandoned)); n != 1 {
			t.Errorf("%d abandoned events after a second Ended", n)
		}
		h.addAgent("a1", "sales")
		synctest.Wait()
		h.wantNoOffer()
		if d := h.tel.takeDrops(); len(d) != 0 {
			t.Errorf("drops %v: the caller's leg is already gone", d)
		}
	})
}

func TestEngineAbandonWhileRinging(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, acd.EngineConfig{MaxMisses: 1, Queues: []acd.QueueConfig{queueCfg("sales", acd.RingAll{})}})
		h.addAgent("a1", "sales")
		h.addAgent("a2", "sales")
		h.enqueue("c1", "sales")
		synctest.Wait()
		h.wantOffer("c1", "a1", "a2")
		sleep(4 * time.Second)
		h.end("c1", acd.ReasonCaller)
		synctest.Wait()

		ab := h.events.callEvent(t, "c1", acd.EvAbandoned)
		if ab.WaitMS != 4000 || !slices.Equal(ab.Agents, []string{"a1", "a2"}) {
			t.Errorf("abandoned event %+v, want 4000 ms with a1 and a2 rung", ab)
		}
		for _, id := range []string{"a1", "a2"} {
			if a := h.wantState(id, agents.Available); a.Misses != 0 {
				t.Errorf("%s has %d misses: a caller hanging up is not the agent's miss", id, a.Misses)
			}
			if got, want := h.events.agentStates(id), []string{"ringing/offer", "available/cancel"}; !slices.Equal(got, want) {
				t.Errorf("%s states %v, want %v", id, got, want)
			}
		}
		if n := len(h.events.of(acd.EvRingNoAnswer)); n != 0 {
			t.Errorf("%d ring-no-answer events", n)
		}
		// The SIP side's late report of the cancelled legs is refused.
		err := h.eng.NotAnswered(h.ctx, "c1", []acd.RingResult{{Agent: "a1", Reason: acd.ReasonCancelled}})
		if !errors.Is(err, acd.ErrUnknownCall) {
			t.Errorf("NotAnswered after abandon: %v, want ErrUnknownCall", err)
		}
		if err := h.eng.Answered(h.ctx, "c1", "a1"); !errors.Is(err, acd.ErrUnknownCall) {
			t.Errorf("Answered after abandon: %v, want ErrUnknownCall", err)
		}
		h.wantState("a1", agents.Available)
		h.wantNoOffer()
		if n := h.active(); n != 0 {
			t.Errorf("%d active calls", n)
		}
	})
}

func TestEngineMaxWaitWhileWaiting(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sales := queueCfg("sales", acd.LongestIdle{})
		sales.MaxWait = 30 * time.Second
		h := newHarness(t, acd.EngineConfig{Queues: []acd.QueueConfig{sales}})
		h.enqueue("c1", "sales")
		sleep(30*time.Second - time.Millisecond)
		if n := len(h.events.of(acd.EvTimedOut)); n != 0 {
			t.Fatalf("timed out early")
		}
		sleep(time.Millisecond)
		to := h.events.callEvent(t, "c1", acd.EvTimedOut)
		if to.Reason != acd.ReasonMaxWait || to.WaitMS != 30_000 {
			t.Errorf("timed-out event %+v, want max-wait after 30000 ms", to)
		}
		if d := h.tel.takeDrops(); !slices.Equal(d, []dropped{{"c1", acd.ReasonMaxWait}}) {
			t.Errorf("drops %v, want c1 for max-wait", d)
		}
		if got := h.waiting(); len(got) != 0 {
			t.Errorf("still waiting: %v", got)
		}
		if n := h.active(); n != 0 {
			t.Errorf("%d active calls", n)
		}
		// The caller leg reports its end after the drop: nothing more happens.
		h.end("c1", acd.ReasonMaxWait)
		if got, want := h.events.callTypes("c1"), []acd.EventType{acd.EvEntered, acd.EvTimedOut}; !slices.Equal(got, want) {
			t.Errorf("call events %v, want %v", got, want)
		}
	})
}

func TestEngineMaxWaitDoesNotCutAnsweredCall(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sales := queueCfg("sales", acd.LongestIdle{})
		sales.MaxWait = 30 * time.Second
		h := newHarness(t, acd.EngineConfig{Queues: []acd.QueueConfig{sales}})
		h.addAgent("a1", "sales")
		h.enqueue("c1", "sales")
		synctest.Wait()
		h.wantOffer("c1", "a1")
		sleep(10 * time.Second)
		h.answer("c1", "a1")
		sleep(time.Minute)
		if d := h.tel.takeDrops(); len(d) != 0 {
			t.Errorf("drops %v of a connected call", d)
		}
		h.wantState("a1", agents.Busy)
		if n := h.active(); n != 1 {
			t.Errorf("%d active calls, want 1", n)
		}
	})
}

func TestEngineMaxWaitWhileRinging(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sales := queueCfg("sales", acd.LongestIdle{})
		sales.MaxWait = 30 * time.Second
		sales.RingTimeout = 60 * time.Second
		h := newHarness(t, acd.EngineConfig{Queues: []acd.QueueConfig{sales}})
		h.addAgent("a1", "sales")
		h.addAgent("a2", "sales")
		h.enqueue("c1", "sales")
		synctest.Wait()
		h.wantOffer("c1", "a1")
		sleep(31 * time.Second)
		if d := h.tel.takeDrops(); len(d) != 0 {
			t.Fatalf("drops %v while an agent still rings", d)
		}
		h.wantState("a1", agents.Ringing)

		h.missed("c1", acd.RingResult{Agent: "a1", Reason: acd.ReasonNoAnswer})
		synctest.Wait()
		to := h.events.callEvent(t, "c1", acd.EvTimedOut)
		if to.Reason != acd.ReasonMaxWait || to.WaitMS != 31_000 || to.Attempts != 1 {
			t.Errorf("timed-out event %+v", to)
		}
		if got, want := h.events.callTypes("c1"), []acd.EventType{acd.EvEntered, acd.EvOffered, acd.EvRingNoAnswer, acd.EvTimedOut}; !slices.Equal(got, want) {
			t.Errorf("call events %v, want %v", got, want)
		}
		if d := h.tel.takeDrops(); !slices.Equal(d, []dropped{{"c1", acd.ReasonMaxWait}}) {
			t.Errorf("drops %v, want c1 for max-wait", d)
		}
		h.wantNoOffer() // not requeued, so not offered to a2
		h.wantState("a1", agents.Available)
		if got := h.waiting(); len(got) != 0 {
			t.Errorf("still waiting: %v", got)
		}
		if n := h.active(); n != 0 {
			t.Errorf("%d active calls", n)
		}
	})
}

func TestEngineQueueFullAndUnknownQueue(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sales := queueCfg("sales", acd.LongestIdle{})
		sales.MaxLength = 1
		h := newHarness(t, acd.EngineConfig{Queues: []acd.QueueConfig{sales}})
		h.enqueue("c1", "sales")
		err := h.eng.Enqueue(h.ctx, queue.Call{ID: "c2", Queue: "sales", Caller: "+4420c2"})
		if !errors.Is(err, acd.ErrQueueFull) {
			t.Fatalf("second Enqueue: %v, want ErrQueueFull", err)
		}
		rej := h.events.callEvent(t, "c2", acd.EvRejected)
		if rej.Reason != acd.ReasonQueueFull || rej.Queue != "sales" || rej.Caller != "+4420c2" {
			t.Errorf("rejected event %+v", rej)
		}
		if got := h.events.callTypes("c2"); !slices.Equal(got, []acd.EventType{acd.EvRejected}) {
			t.Errorf("c2 events %v, want only rejected", got)
		}
		if n := h.active(); n != 1 {
			t.Errorf("%d active calls, want 1", n)
		}

		err = h.eng.Enqueue(h.ctx, queue.Call{ID: "c3", Queue: "nope"})
		if !errors.Is(err, acd.ErrUnknownQueue) {
			t.Errorf("Enqueue to unknown queue: %v, want ErrUnknownQueue", err)
		}
		if got := h.events.callTypes("c3"); slices.Contains(got, acd.EvEntered) {
			t.Errorf("c3 events %v", got)
		}
		if err := h.eng.Enqueue(h.ctx, queue.Call{ID: "c1", Queue: "sales"}); err == nil {
			t.Errorf("enqueueing c1 twice succeeded")
		}
		if got := h.waiting(); !slices.Equal(got, []queue.CallID{"c1"}) {
			t.Errorf("waiting %v, want c1", got)
		}
	})
}
