package acd_test

import (
	"testing"
	"testing/synctest"
	"time"

	"github.com/sme/acd/acd"
	"github.com/sme/acd/agents"
	"github.com/sme/acd/queue"
)

// enqueuePreferring queues a returning customer's call that prefers agent
// for its first window of waiting.
func (h *harness) enqueuePreferring(id, q, agent string, window time.Duration) {
	h.t.Helper()
	c := queue.Call{ID: queue.CallID(id), Queue: q, Caller: "+4420" + id, Preferred: agent, PreferFor: window}
	if err := h.eng.Enqueue(h.ctx, c); err != nil {
		h.t.Fatalf("Enqueue %s: %v", id, err)
	}
}

// TestEnginePreferWindowWaitsForTheLastAgent: a returning customer's call
// waits for the agent who served them last while that agent is on
// another call, though someone else is free; the instant the prefer window
// ends, with no other event, it goes to anyone.
func TestEnginePreferWindowWaitsForTheLastAgent(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, acd.EngineConfig{Queues: []acd.QueueConfig{queueCfg("support", acd.LongestIdle{})}})
		h.addAgent("last", "support")
		h.enqueue("other", "support")
		synctest.Wait()
		h.wantOffer("other", "last")
		h.answer("other", "last") // busy now
		h.addAgent("free", "support")
		synctest.Wait()

		t0 := time.Now()
		h.enqueuePreferring("c1", "support", "last", 15*time.Second)
		synctest.Wait()
		h.wantNoOffer()
		sleep(15*time.Second - time.Millisecond)
		h.wantNoOffer()
		sleep(time.Millisecond)
		h.wantOffer("c1", "free")
		if ev := h.events.callEvent(t, "c1", acd.EvOffered); !ev.Time.Equal(t0.Add(15*time.Second)) || ev.WaitMS != 15_000 {
			t.Errorf("offered after %v (wait_ms %d), want exactly when the window ended", ev.Time.Sub(t0), ev.WaitMS)
		}
	})
}

// TestEnginePreferWindowServedByTheLastAgentWhenFree: the preferred agent
// comes free within the window (after their wrap-up) and gets the call.
func TestEnginePreferWindowServedByTheLastAgentWhenFree(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		q := queueCfg("support", acd.LongestIdle{})
		q.WrapUp = 5 * time.Second
		h := newHarness(t, acd.EngineConfig{Queues: []acd.QueueConfig{q}})
		h.addAgent("last", "support")
		h.enqueue("other", "support")
		synctest.Wait()
		h.wantOffer("other", "last")
		h.answer("other", "last")
		h.addAgent("free", "support")
		synctest.Wait()

		h.enqueuePreferring("c1", "support", "last", 15*time.Second)
		sleep(3 * time.Second)
		h.wantNoOffer()
		h.end("other", acd.ReasonCaller) // last wraps up for 5 s
		sleep(5*time.Second - time.Millisecond)
		h.wantNoOffer()
		h.wantState("last", agents.WrapUp)
		sleep(time.Millisecond)
		h.wantOffer("c1", "last")
		h.answer("c1", "last")
		if ev := h.events.callEvent(t, "c1", acd.EvConnected); ev.Agent != "last" || ev.WaitMS != 8_000 {
			t.Errorf("connected %+v, want to last after 8 s", ev)
		}
		// The window's timer finds the call connected and does nothing.
		sleep(time.Minute)
		h.wantNoOffer()
	})
}

// TestEnginePreferWindowEndsWhenThePreferredAgentMisses: the preferred
// agent lets the call ring out; the call goes to the other agent at once,
// without waiting for the rest of the window.
func TestEnginePreferWindowEndsWhenThePreferredAgentMisses(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, acd.EngineConfig{Queues: []acd.QueueConfig{queueCfg("support", acd.LongestIdle{})}})
		h.addAgent("free", "support")
		sleep(time.Minute) // free idles longest
		h.addAgent("last", "support")
		synctest.Wait()
		h.enqueuePreferring("c1", "support", "last", 30*time.Second)
		synctest.Wait()
		h.wantOffer("c1", "last")
		sleep(2 * time.Second)
		h.missed("c1", acd.RingResult{Agent: "last", Reason: acd.ReasonNoAnswer})
		synctest.Wait()
		h.wantOffer("c1", "free")
	})
}

// TestEnginePreferWindowAndStepsTogether: a call in a queue with routing
// steps and a prefer window is routed again at each boundary: the window
// ends first (8 s), then the first step (20 s).
func TestEnginePreferWindowAndStepsTogether(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		q := queueCfg("billing", acd.LongestIdle{})
		q.Steps = billingSteps() // 20 s billing ≥ 4, then 40 s billing ≥ 2
		h := newHarness(t, acd.EngineConfig{Queues: []acd.QueueConfig{q}, MaxMisses: 1})
		h.addSkilledAgent("junior", map[string]int{"billing": 2}, "billing")
		synctest.Wait()
		h.enqueuePreferring("c1", "billing", "away", 8*time.Second)
		sleep(8 * time.Second)
		h.wantNoOffer() // window over, but junior does not meet the first step
		h.addSkilledAgent("expert", map[string]int{"billing": 5}, "billing")
		synctest.Wait()
		h.wantOffer("c1", "expert")
		h.missed("c1", acd.RingResult{Agent: "expert", Reason: acd.ReasonNoAnswer}) // and paused
		synctest.Wait()
		h.wantNoOffer()
		h.wantState("expert", agents.Paused)
		sleep(12*time.Second - time.Millisecond)
		h.wantNoOffer()
		sleep(time.Millisecond)
		h.wantOffer("c1", "junior") // 20 s: the second step
	})
}
