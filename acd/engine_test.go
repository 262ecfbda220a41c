package acd_test

import (
	"slices"
	"testing"
	"testing/synctest"
	"time"

	"github.com/sme/acd/acd"
	"github.com/sme/acd/agents"
	"github.com/sme/acd/queue"
)

// Every test here runs the real engine goroutine over the memory store with
// a fake telephony side. Timers (max wait, wrap-up) run on synctest's fake
// clock: time.Sleep inside a bubble only moves that clock.

func TestEngineAnswerTalkWrapUp(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sales := queueCfg("sales", acd.LongestIdle{})
		sales.RingTimeout = 17 * time.Second
		sales.WrapUp = 45 * time.Second
		h := newHarness(t, acd.EngineConfig{Queues: []acd.QueueConfig{sales}})
		h.addAgent("a1", "sales")
		synctest.Wait()
		t0 := time.Now()

		h.enqueue("c1", "sales")
		synctest.Wait()
		off := h.wantOffer("c1", "a1")
		if off.RingTimeout != 17*time.Second {
			t.Errorf("ring timeout %v, want the queue's 17s", off.RingTimeout)
		}
		if off.Call.Queue != "sales" || off.Call.Caller != "+4420c1" || !off.Call.Arrived.Equal(t0) || off.Call.Attempts != 1 {
			t.Errorf("offered call %+v", off.Call)
		}
		h.wantState("a1", agents.Ringing)

		sleep(3 * time.Second)
		h.answer("c1", "a1")
		h.wantState("a1", agents.Busy)
		conn := h.events.callEvent(t, "c1", acd.EvConnected)
		if conn.Agent != "a1" || conn.WaitMS != 3000 || conn.Queue != "sales" || conn.Node != "node-1" || !conn.Time.Equal(t0.Add(3*time.Second)) {
			t.Errorf("connected event %+v, want agent a1 after 3000 ms", conn)
		}

		sleep(2 * time.Minute)
		h.end("c1", acd.ReasonCaller)
		ended := time.Now()
		done := h.events.callEvent(t, "c1", acd.EvCompleted)
		if done.Agent != "a1" || done.Reason != acd.ReasonCaller || done.TalkMS != 120_000 || done.WaitMS != 3000 {
			t.Errorf("completed event %+v, want agent a1, reason caller, talk 120000 ms, wait 3000 ms", done)
		}
		if got, want := h.events.callTypes("c1"), []acd.EventType{acd.EvEntered, acd.EvOffered, acd.EvConnected, acd.EvCompleted}; !slices.Equal(got, want) {
			t.Errorf("call events %v, want %v", got, want)
		}
		h.wantState("a1", agents.WrapUp)

		sleep(45*time.Second - time.Millisecond)
		h.wantState("a1", agents.WrapUp)
		sleep(time.Millisecond)
		a := h.wantState("a1", agents.Available)
		if !a.StateSince.Equal(ended.Add(45 * time.Second)) {
			t.Errorf("available since %v, want exactly wrap-up after the hangup (%v)", a.StateSince, ended.Add(45*time.Second))
		}
		if a.CallsTaken != 1 || a.TalkTime != 2*time.Minute {
			t.Errorf("agent counters: calls %d talk %v", a.CallsTaken, a.TalkTime)
		}
		want := []string{"ringing/offer", "busy/answer", "wrap-up/hangup", "available/wrap-up-done"}
		if got := h.events.agentStates("a1"); !slices.Equal(got, want) {
			t.Errorf("agent states %v, want %v", got, want)
		}
		if n := h.active(); n != 0 {
			t.Errorf("%d active calls after the end", n)
		}
		if d := h.tel.takeDrops(); len(d) != 0 {
			t.Errorf("drops %v", d)
		}
	})
}

func TestEngineOffersOnlyToRegisteredAgents(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, acd.EngineConfig{Queues: []acd.QueueConfig{queueCfg("sales", acd.LongestIdle{})}})
		h.addAgentNoPhone("a1", "sales")
		h.enqueue("c1", "sales")
		synctest.Wait()
		h.wantNoOffer()
		h.wantState("a1", agents.Available)
		if got := h.waiting(); !slices.Equal(got, []queue.CallID{"c1"}) {
			t.Fatalf("waiting %v", got)
		}

		h.register("a1")
		h.eng.Nudge()
		synctest.Wait()
		h.wantOffer("c1", "a1")
		h.wantState("a1", agents.Ringing)
		if got := h.waiting(); len(got) != 0 {
			t.Errorf("still waiting: %v", got)
		}
	})
}

func TestEngineExpiredContactIsNotOffered(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, acd.EngineConfig{Queues: []acd.QueueConfig{queueCfg("sales", acd.LongestIdle{})}})
		h.addAgentNoPhone("a1", "sales")
		c := acd.Contact{URI: "sip:" + username("a1") + "@192.0.2.1:5060", Expires: time.Now().Add(time.Minute)}
		if err := h.store.Register(h.ctx, username("a1"), c); err != nil {
			t.Fatal(err)
		}
		sleep(time.Minute)
		h.enqueue("c1", "sales")
		synctest.Wait()
		h.wantNoOffer()
	})
}

func TestEngineNoAnswerRequeuesAtHeadAndPauses(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, acd.EngineConfig{MaxMisses: 1, Queues: []acd.QueueConfig{queueCfg("sales", acd.LongestIdle{})}})
		h.addAgent("a1", "sales")
		h.addAgent("a2", "sales")
		if _, err := h.eng.Command(h.ctx, "a2", agents.Event{Kind: agents.Pause, Reason: "lunch"}); err != nil {
			t.Fatal(err)
		}
		synctest.Wait()
		t0 := time.Now()
		h.enqueue("c1", "sales")
		synctest.Wait()
		h.wantOffer("c1", "a1")

		sleep(5 * time.Second)
		h.enqueue("c2", "sales")
		sleep(10 * time.Second)
		h.missed("c1", acd.RingResult{Agent: "a1", Reason: acd.ReasonNoAnswer})
		synctest.Wait()

		rna := h.events.callEvent(t, "c1", acd.EvRingNoAnswer)
		if rna.Agent != "a1" || rna.Reason != acd.ReasonNoAnswer || rna.Attempts != 1 {
			t.Errorf("ring-no-answer event %+v", rna)
		}
		a := h.wantState("a1", agents.Paused)
		if a.PauseReason != acd.ReasonNoAnswer || a.Misses != 1 {
			t.Errorf("a1 pause reason %q misses %d, want no-answer after 1 miss", a.PauseReason, a.Misses)
		}
		if got, want := h.events.agentStates("a1"), []string{"ringing/offer", "available/miss", "paused/no-answer"}; !slices.Equal(got, want) {
			t.Errorf("a1 states %v, want %v", got, want)
		}
		h.wantNoOffer()
		w, _ := h.store.Waiting(h.ctx)
		if len(w) != 2 || w[0].ID != "c1" || w[1].ID != "c2" {
			t.Fatalf("waiting %v, want c1 back at the head before c2", h.waiting())
		}
		if !w[0].Arrived.Equal(t0) || w[0].Attempts != 1 || !slices.Equal(w[0].Missed, []string{"a1"}) {
			t.Errorf("requeued call %+v, want its arrival kept, 1 attempt, a1 missed", w[0])
		}

		if _, err := h.eng.Command(h.ctx, "a2", agents.Event{Kind: agents.Unpause}); err != nil {
			t.Fatal(err)
		}
		synctest.Wait()
		off := h.wantOffer("c1", "a2")
		if off.Call.Attempts != 2 {
			t.Errorf("second offer attempts %d, want 2", off.Call.Attempts)
		}
		if got := h.waiting(); !slices.Equal(got, []queue.CallID{"c2"}) {
			t.Errorf("waiting %v, want c2", got)
		}
	})
}

func TestEngineNoAnswerTriesNextAgent(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, acd.EngineConfig{MaxMisses: 2, Queues: []acd.QueueConfig{queueCfg("sales", acd.LongestIdle{})}})
		h.addAgent("a1", "sales")
		h.addAgent("a2", "sales")
		h.enqueue("c1", "sales")
		synctest.Wait()
		h.wantOffer("c1", "a1") // equally idle: the smaller id

		sleep(15 * time.Second)
		h.missed("c1", acd.RingResult{Agent: "a1", Reason: acd.ReasonNoAnswer})
		synctest.Wait()
		h.wantOffer("c1", "a2") // not a1 again while a2 can take it
		h.wantState("a1", agents.Available)

		sleep(15 * time.Second)
		h.missed("c1", acd.RingResult{Agent: "a2", Reason: "busy"})
		synctest.Wait()
		h.wantOffer("c1", "a1") // both missed it: back to the first choice

		sleep(15 * time.Second)
		h.missed("c1", acd.RingResult{Agent: "a1", Reason: "declined"})
		synctest.Wait()
		a1 := h.wantState("a1", agents.Paused)
		if a1.PauseReason != acd.ReasonNoAnswer || a1.Misses != 2 {
			t.Errorf("a1 pause reason %q misses %d", a1.PauseReason, a1.Misses)
		}
		h.wantOffer("c1", "a2")
		h.answer("c1", "a2")
		if a2 := h.wantState("a2", agents.Busy); a2.Misses != 0 {
			t.Errorf("a2 misses %d after answering, want 0", a2.Misses)
		}
		var reasons []string
		for _, ev := range h.events.of(acd.EvRingNoAnswer) {
			reasons = append(reasons, ev.Agent+"/"+ev.Reason)
		}
		if want := []string{"a1/no-answer", "a2/busy", "a1/declined"}; !slices.Equal(reasons, want) {
			t.Errorf("ring-no-answer events %v, want %v", reasons, want)
		}
		conn := h.events.callEvent(t, "c1", acd.EvConnected)
		if conn.Attempts != 4 || conn.WaitMS != 45_000 {
			t.Errorf("connected %+v, want attempt 4 after 45000 ms", conn)
		}
		var paused []acd.Event
		for _, ev := range h.events.of(acd.EvAgentState) {
			if ev.State == "paused" {
				paused = append(paused, ev)
			}
		}
		if len(paused) != 1 || paused[0].Agent != "a1" || paused[0].Reason != acd.ReasonNoAnswer {
			t.Errorf("paused events %+v, want a1 paused for no-answer", paused)
		}
	})
}
