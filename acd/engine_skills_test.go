package acd_test

import (
	"testing"
	"testing/synctest"
	"time"

	"github.com/sme/acd/acd"
	"github.com/sme/acd/agents"
	"github.com/sme/acd/queue"
)

// addSkilledAgent puts an Available, reachable agent with skills in the
// store and nudges the engine.
func (h *harness) addSkilledAgent(id string, skills map[string]int, queues ...string) {
	h.t.Helper()
	a := agents.Agent{ID: id, Username: username(id), Queues: queues, Skills: skills}
	if err := h.store.PutAgent(h.ctx, a); err != nil {
		h.t.Fatalf("PutAgent %s: %v", id, err)
	}
	if _, err := h.store.Apply(h.ctx, id, agents.Event{Kind: agents.Login}, time.Now()); err != nil {
		h.t.Fatalf("login %s: %v", id, err)
	}
	h.register(id)
	h.eng.Nudge()
}

// billingSteps: the first 20 s billing ≥ 4, the next 40 s billing ≥ 2,
// then any agent of the queue.
func billingSteps() []queue.Step {
	return []queue.Step{
		{Requirements: queue.Requirements{"billing": 4}, Duration: 20 * time.Second},
		{Requirements: queue.Requirements{"billing": 2}, Duration: 40 * time.Second},
	}
}

// TestEngineStepExpiryOffersToALowerLevelAgent: nobody meets the first
// step, so the call waits; the instant the step ends, with no other event,
// it goes to the agent who meets the second.
func TestEngineStepExpiryOffersToALowerLevelAgent(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		q := queueCfg("billing", acd.BestSkill{})
		q.Steps = billingSteps()
		h := newHarness(t, acd.EngineConfig{Queues: []acd.QueueConfig{q}})
		h.addSkilledAgent("junior", map[string]int{"billing": 2}, "billing")
		h.addSkilledAgent("novice", map[string]int{"billing": 1}, "billing")
		synctest.Wait()
		t0 := time.Now()
		h.enqueue("c1", "billing")
		synctest.Wait()
		h.wantNoOffer()

		sleep(20*time.Second - time.Millisecond)
		h.wantNoOffer()
		h.wantState("junior", agents.Available)
		sleep(time.Millisecond)
		off := h.wantOffer("c1", "junior")
		ev := h.events.callEvent(t, "c1", acd.EvOffered)
		if !ev.Time.Equal(t0.Add(20*time.Second)) || ev.WaitMS != 20_000 {
			t.Errorf("offered at %v after %d ms, want exactly when the first step ended (20000 ms)", ev.Time.Sub(t0), ev.WaitMS)
		}
		if !off.Call.Arrived.Equal(t0) {
			t.Errorf("offered call arrived %v, want %v", off.Call.Arrived, t0)
		}

		// junior lets it ring out twice, then goes to lunch: the call is
		// back in the queue at step 2, where the novice does not qualify
		// until the steps are over at 60 s.
		sleep(5 * time.Second)
		h.missed("c1", acd.RingResult{Agent: "junior", Reason: acd.ReasonNoAnswer})
		synctest.Wait()
		h.wantOffer("c1", "junior") // the only one who qualifies, missed or not
		sleep(15 * time.Second)
		if _, err := h.eng.Command(h.ctx, "junior", agents.Event{Kind: agents.Pause, Reason: "lunch"}); err != nil {
			t.Fatal(err)
		}
		h.missed("c1", acd.RingResult{Agent: "junior", Reason: acd.ReasonNoAnswer})
		synctest.Wait()
		h.wantNoOffer() // 40 s: the novice has billing 1 < 2
		h.wantState("junior", agents.Paused)
		sleep(20*time.Second - time.Millisecond)
		h.wantNoOffer()
		sleep(time.Millisecond)
		h.wantOffer("c1", "novice") // 60 s: any agent of the queue
		h.answer("c1", "novice")
		conn := h.events.callEvent(t, "c1", acd.EvConnected)
		if conn.WaitMS != 60_000 {
			t.Errorf("connected after %d ms, want 60000", conn.WaitMS)
		}
	})
}

// TestEngineStepTimersDoNotOutliveTheCall: the step timers of a call that
// ended or was answered neither bring it back nor disturb anyone (they
// are stopped; a stale one finds no waiting call).
func TestEngineStepTimersDoNotOutliveTheCall(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		q := queueCfg("billing", acd.LongestIdle{})
		q.Steps = billingSteps()
		h := newHarness(t, acd.EngineConfig{Queues: []acd.QueueConfig{q}})
		h.enqueue("gone", "billing")
		h.enqueue("talking", "billing")
		synctest.Wait()
		h.end("gone", acd.ReasonCaller)
		h.addSkilledAgent("expert", map[string]int{"billing": 5}, "billing")
		synctest.Wait()
		h.wantOffer("talking", "expert")
		h.answer("talking", "expert")
		sleep(2 * time.Minute)
		h.wantNoOffer()
		if n := h.active(); n != 1 {
			t.Errorf("%d active calls, want the one talking", n)
		}
	})
}

// TestEngineQueueWeightBeatsArrival: the agent of both queues gets the
// heavier queue's caller though the other waited longer.
func TestEngineQueueWeightBeatsArrival(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sales, support := queueCfg("sales", acd.LongestIdle{}), queueCfg("support", acd.LongestIdle{})
		support.Weight = 10
		h := newHarness(t, acd.EngineConfig{Queues: []acd.QueueConfig{sales, support}})
		h.enqueue("s1", "sales")
		sleep(time.Minute)
		h.enqueue("p1", "support")
		h.addAgent("a1", "sales", "support")
		synctest.Wait()
		h.wantOffer("p1", "a1")
	})
}

// TestEnginePriorityAging: in an ageing queue a call gains a priority
// point per period waited, so it catches up with a later call of higher
// priority; at equal effective priority the earlier arrival goes first.
func TestEnginePriorityAging(t *testing.T) {
	for _, tc := range []struct {
		waited time.Duration
		want   string
	}{
		{59 * time.Second, "v1"},  // old is at 0 + 1 < 2
		{60 * time.Second, "old"}, // 0 + 2 = 2, and old came first
	} {
		t.Run(tc.waited.String(), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				sales, vip := queueCfg("sales", acd.LongestIdle{}), queueCfg("vip", acd.LongestIdle{})
				sales.PriorityAging = 30 * time.Second
				vip.Priority = 2
				h := newHarness(t, acd.EngineConfig{Queues: []acd.QueueConfig{sales, vip}})
				h.enqueue("old", "sales")
				sleep(tc.waited)
				h.enqueue("v1", "vip")
				h.addAgent("a1", "sales", "vip")
				synctest.Wait()
				h.wantOffer(tc.want, "a1")
			})
		})
	}
}
