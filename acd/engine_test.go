package acd_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
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

func TestEngineRingAll(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sales := queueCfg("sales", acd.RingAll{})
		h := newHarness(t, acd.EngineConfig{MaxMisses: 1, Queues: []acd.QueueConfig{sales}})
		for _, id := range []string{"a1", "a2", "a3"} {
			h.addAgent(id, "sales")
		}
		h.enqueue("c1", "sales")
		synctest.Wait()
		off := h.wantOffer("c1", "a1", "a2", "a3")
		if off.RingTimeout != 15*time.Second {
			t.Errorf("ring timeout %v", off.RingTimeout)
		}
		for _, tg := range off.Targets {
			if tg.Agent.State != agents.Ringing {
				t.Errorf("target %s offered as %s", tg.Agent.ID, tg.Agent.State)
			}
		}
		ev := h.events.callEvent(t, "c1", acd.EvOffered)
		if !slices.Equal(ev.Agents, []string{"a1", "a2", "a3"}) {
			t.Errorf("offered event agents %v", ev.Agents)
		}
		for _, id := range []string{"a1", "a2", "a3"} {
			h.wantState(id, agents.Ringing)
		}

		sleep(2 * time.Second)
		if err := h.eng.Answered(h.ctx, "c1", "a9"); !errors.Is(err, acd.ErrUnknownCall) {
			t.Errorf("Answered by an agent not rung: %v, want ErrUnknownCall", err)
		}
		h.answer("c1", "a2")
		synctest.Wait()
		h.wantState("a2", agents.Busy)
		for _, id := range []string{"a1", "a3"} {
			if a := h.wantState(id, agents.Available); a.Misses != 0 {
				t.Errorf("%s counted a miss for a call another agent answered", id)
			}
		}
		conn := h.events.callEvent(t, "c1", acd.EvConnected)
		if conn.Agent != "a2" || conn.WaitMS != 2000 {
			t.Errorf("connected %+v, want a2 after 2000 ms", conn)
		}
		if err := h.eng.Answered(h.ctx, "c1", "a1"); !errors.Is(err, acd.ErrUnknownCall) {
			t.Errorf("second answer: %v, want ErrUnknownCall", err)
		}
		h.wantState("a1", agents.Available)
		h.wantNoOffer()
		h.end("c1", acd.ReasonAgent)
		if done := h.events.callEvent(t, "c1", acd.EvCompleted); done.Agent != "a2" || done.Reason != acd.ReasonAgent {
			t.Errorf("completed %+v", done)
		}
	})
}

func TestEngineSharedAgentTakesLongestWaitAcrossQueues(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sales, support := queueCfg("sales", acd.LongestIdle{}), queueCfg("support", acd.LongestIdle{})
		h := newHarness(t, acd.EngineConfig{Queues: []acd.QueueConfig{sales, support}})
		h.enqueue("s1", "support")
		sleep(5 * time.Second)
		h.enqueue("x1", "sales")
		sleep(5 * time.Second)
		h.enqueue("s2", "support")
		sleep(time.Second)

		h.addAgent("a1", "sales", "support")
		synctest.Wait()
		h.wantOffer("s1", "a1")
		h.answer("s1", "a1")
		h.end("s1", acd.ReasonCaller)
		synctest.Wait()
		h.wantOffer("x1", "a1") // sales waited 6 s longer than support's s2
		h.answer("x1", "a1")
		h.end("x1", acd.ReasonCaller)
		synctest.Wait()
		h.wantOffer("s2", "a1")
	})
}

func TestEngineQueuePriorityBeatsWaitAcrossQueues(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sales, vip := queueCfg("sales", acd.LongestIdle{}), queueCfg("vip", acd.LongestIdle{})
		vip.Priority = 5
		h := newHarness(t, acd.EngineConfig{Queues: []acd.QueueConfig{sales, vip}})
		h.enqueue("x1", "sales")
		sleep(time.Minute)
		h.enqueue("v1", "vip")
		h.addAgent("a1", "sales", "vip")
		synctest.Wait()
		off := h.wantOffer("v1", "a1")
		if off.Call.Priority != 5 {
			t.Errorf("vip call priority %d, want the queue's 5", off.Call.Priority)
		}
	})
}

func TestEngineCommands(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, acd.EngineConfig{Queues: []acd.QueueConfig{queueCfg("sales", acd.LongestIdle{})}})
		h.addAgent("a1", "sales")
		synctest.Wait()
		cmd := func(ev agents.Event, want agents.State) agents.Agent {
			t.Helper()
			a, err := h.eng.Command(h.ctx, "a1", ev)
			if err != nil {
				t.Fatalf("Command %s: %v", ev.Kind, err)
			}
			if a.State != want {
				t.Fatalf("after %s: %s, want %s", ev.Kind, a.State, want)
			}
			return a
		}
		if a := cmd(agents.Event{Kind: agents.Pause, Reason: "lunch"}, agents.Paused); a.PauseReason != "lunch" {
			t.Errorf("pause reason %q", a.PauseReason)
		}
		h.enqueue("c1", "sales")
		synctest.Wait()
		h.wantNoOffer() // paused agents take no calls
		cmd(agents.Event{Kind: agents.Unpause}, agents.Available)
		synctest.Wait()
		h.wantOffer("c1", "a1")
		h.answer("c1", "a1")
		h.end("c1", acd.ReasonCaller)
		cmd(agents.Event{Kind: agents.Logout}, agents.Offline)
		h.enqueue("c2", "sales")
		synctest.Wait()
		h.wantNoOffer()
		cmd(agents.Event{Kind: agents.Login}, agents.Available)
		synctest.Wait()
		h.wantOffer("c2", "a1")

		want := []string{"paused/lunch", "available/unpause", "ringing/offer", "busy/answer", "wrap-up/hangup",
			"available/wrap-up-done", "offline/logout", "available/login", "ringing/offer"}
		if got := h.events.agentStates("a1"); !slices.Equal(got, want) {
			t.Errorf("agent states\n got %v\nwant %v", got, want)
		}

		// Kinds that are the engine's own business are refused.
		for _, k := range []agents.EventKind{agents.Offer, agents.Answer, agents.Miss, agents.Cancel, agents.Hangup, agents.WrapUpDone} {
			if _, err := h.eng.Command(h.ctx, "a1", agents.Event{Kind: k}); !errors.Is(err, agents.ErrInvalidTransition) {
				t.Errorf("Command %s: %v, want ErrInvalidTransition", k, err)
			}
		}
		h.wantState("a1", agents.Ringing)
		if _, err := h.eng.Command(h.ctx, "nobody", agents.Event{Kind: agents.Login}); !errors.Is(err, acd.ErrUnknownAgent) {
			t.Errorf("Command for an unknown agent: %v, want ErrUnknownAgent", err)
		}
		if logs := h.logs.take(); len(logs) != 1 {
			t.Errorf("logs %v, want the unknown agent's failed transition", logs)
		}
		if _, err := h.eng.Command(h.ctx, "a1", agents.Event{Kind: agents.Unpause}); !errors.Is(err, agents.ErrInvalidTransition) {
			t.Errorf("unpause while ringing: %v, want ErrInvalidTransition", err)
		}
	})
}

func TestEnginePauseWhileBusyWaitsForWrapUp(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sales := queueCfg("sales", acd.LongestIdle{})
		sales.WrapUp = 20 * time.Second
		h := newHarness(t, acd.EngineConfig{Queues: []acd.QueueConfig{sales}})
		h.addAgent("a1", "sales")
		h.enqueue("c1", "sales")
		synctest.Wait()
		h.wantOffer("c1", "a1")
		h.answer("c1", "a1")
		n := len(h.events.agentStates("a1"))

		a, err := h.eng.Command(h.ctx, "a1", agents.Event{Kind: agents.Pause, Reason: "break"})
		if err != nil {
			t.Fatal(err)
		}
		if a.State != agents.Busy || a.Pending == nil || a.Pending.Reason != "break" {
			t.Fatalf("after pause while busy: %+v, want busy with the pause pending", a)
		}
		if got := h.events.agentStates("a1"); len(got) != n {
			t.Errorf("state events %v for a deferred pause", got[n:])
		}
		h.enqueue("c2", "sales")
		sleep(time.Minute)
		h.end("c1", acd.ReasonCaller)
		h.wantState("a1", agents.WrapUp)
		sleep(20 * time.Second)
		a = h.wantState("a1", agents.Paused)
		if a.PauseReason != "break" || a.Pending != nil {
			t.Errorf("after wrap-up: reason %q pending %v", a.PauseReason, a.Pending)
		}
		if got, want := h.events.agentStates("a1")[n:], []string{"wrap-up/hangup", "paused/break"}; !slices.Equal(got, want) {
			t.Errorf("state events %v, want %v", got, want)
		}
		h.wantNoOffer() // c2 waits: the agent never passed through Available
		if got := h.waiting(); !slices.Equal(got, []queue.CallID{"c2"}) {
			t.Errorf("waiting %v", got)
		}
	})
}

func TestEngineLogoutWhileRingingAppliesAfterRing(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, acd.EngineConfig{Queues: []acd.QueueConfig{queueCfg("sales", acd.LongestIdle{})}})
		h.addAgent("a1", "sales")
		h.enqueue("c1", "sales")
		synctest.Wait()
		h.wantOffer("c1", "a1")
		if _, err := h.eng.Command(h.ctx, "a1", agents.Event{Kind: agents.Logout}); err != nil {
			t.Fatal(err)
		}
		h.wantState("a1", agents.Ringing)
		h.missed("c1", acd.RingResult{Agent: "a1", Reason: acd.ReasonNoAnswer})
		synctest.Wait()
		h.wantState("a1", agents.Offline)
		h.wantNoOffer()
		if got := h.waiting(); !slices.Equal(got, []queue.CallID{"c1"}) {
			t.Errorf("waiting %v", got)
		}
	})
}

// A pause and unpause during wrap-up end that wrap-up; the timer it started
// must not cut short the wrap-up of the agent's next call.
func TestEngineStaleWrapUpTimerDoesNotEndNextWrapUp(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sales := queueCfg("sales", acd.LongestIdle{})
		sales.WrapUp = 30 * time.Second
		h := newHarness(t, acd.EngineConfig{Queues: []acd.QueueConfig{sales}})
		h.addAgent("a1", "sales")
		h.enqueue("c1", "sales")
		synctest.Wait()
		h.wantOffer("c1", "a1")
		h.answer("c1", "a1")
		h.end("c1", acd.ReasonCaller) // wrap-up until +30 s
		sleep(5 * time.Second)
		if _, err := h.eng.Command(h.ctx, "a1", agents.Event{Kind: agents.Pause, Reason: "coffee"}); err != nil {
			t.Fatal(err)
		}
		sleep(time.Second)
		if _, err := h.eng.Command(h.ctx, "a1", agents.Event{Kind: agents.Unpause}); err != nil {
			t.Fatal(err)
		}
		h.enqueue("c2", "sales")
		synctest.Wait()
		h.wantOffer("c2", "a1")
		h.answer("c2", "a1")
		sleep(14 * time.Second)
		h.end("c2", acd.ReasonCaller) // at +20 s: wrap-up until +50 s
		secondWrap := time.Now()
		sleep(15 * time.Second) // past +30 s, when the first timer fires
		h.wantState("a1", agents.WrapUp)
		sleep(15 * time.Second)
		a := h.wantState("a1", agents.Available)
		if !a.StateSince.Equal(secondWrap.Add(30 * time.Second)) {
			t.Errorf("available since %v, want %v", a.StateSince, secondWrap.Add(30*time.Second))
		}
	})
}

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

func TestEngineSnapshot(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sales, support := queueCfg("sales", acd.LongestIdle{}), queueCfg("support", acd.RoundRobin{})
		h := newHarness(t, acd.EngineConfig{Queues: []acd.QueueConfig{sales, support}})
		h.addAgent("a1", "sales", "support")
		h.addAgent("a2", "sales")
		h.addAgentNoPhone("a3", "sales") // available but unreachable
		if err := h.store.PutAgent(h.ctx, agents.Agent{ID: "a4", Username: username("a4"), Queues: []string{"support"}}); err != nil {
			t.Fatal(err)
		}
		if _, err := h.eng.Command(h.ctx, "a2", agents.Event{Kind: agents.Pause, Reason: "training"}); err != nil {
			t.Fatal(err)
		}
		h.enqueue("s1", "support")
		synctest.Wait()
		h.wantOffer("s1", "a1")
		h.answer("s1", "a1")
		h.enqueue("x1", "sales")
		sleep(10 * time.Second)
		h.enqueue("x2", "sales")
		sleep(20 * time.Second)

		s, err := h.eng.Snapshot(h.ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !s.Time.Equal(time.Now()) || len(s.Queues) != 2 {
			t.Fatalf("snapshot %+v", s)
		}
		qs := s.Queues[0]
		if qs.Name != "sales" || qs.Strategy != "longest-idle" || qs.Waiting != 2 || qs.LongestWaitMS != 30_000 {
			t.Errorf("sales %+v, want 2 waiting, longest 30000 ms", qs)
		}
		if len(qs.Calls) != 2 || qs.Calls[0].ID != "x1" || qs.Calls[0].WaitMS != 30_000 || qs.Calls[1].ID != "x2" || qs.Calls[1].WaitMS != 20_000 {
			t.Errorf("sales calls %+v", qs.Calls)
		}
		if want := map[string]int{"busy": 1, "paused": 1, "available": 1}; !mapsEqual(qs.AgentsByState, want) {
			t.Errorf("sales agents by state %v, want %v", qs.AgentsByState, want)
		}
		qs = s.Queues[1]
		if qs.Name != "support" || qs.Strategy != "round-robin" || qs.Waiting != 0 || qs.LongestWaitMS != 0 || len(qs.Calls) != 0 {
			t.Errorf("support %+v, want nobody waiting", qs)
		}
		if want := map[string]int{"busy": 1, "offline": 1}; !mapsEqual(qs.AgentsByState, want) {
			t.Errorf("support agents by state %v, want %v", qs.AgentsByState, want)
		}
		var got []string
		for _, a := range s.Agents {
			got = append(got, fmt.Sprintf("%s:%s:%d", a.ID, a.State, a.Contacts))
		}
		if want := []string{"a1:busy:1", "a2:paused:1", "a3:available:0", "a4:offline:0"}; !slices.Equal(got, want) {
			t.Errorf("agents %v, want %v", got, want)
		}
	})
}

func mapsEqual(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// Real goroutines, real time: 50 callers at once, 5 agents, a telephony side
// that answers every offer from another goroutine and hangs up at once.
func TestEngineConcurrentCallers(t *testing.T) {
	const nCalls, nAgents = 50, 5
	sales := queueCfg("sales", acd.RoundRobin{})
	h := newHarness(t, acd.EngineConfig{Queues: []acd.QueueConfig{sales}})
	var ids []string
	for i := range nAgents {
		id := fmt.Sprintf("a%d", i)
		ids = append(ids, id)
		h.addAgent(id, "sales")
	}
	ctx := h.ctx
	finished := make(chan error, nCalls)
	h.tel.mu.Lock()
	h.tel.onOffer = func(a acd.Assignment) {
		go func() {
			if len(a.Targets) != 1 {
				finished <- fmt.Errorf("offer of %s to %d agents", a.Call.ID, len(a.Targets))
				return
			}
			agent := a.Targets[0].Agent.ID
			if err := h.eng.Answered(ctx, a.Call.ID, agent); err != nil {
				finished <- err
				return
			}
			finished <- h.eng.Ended(ctx, a.Call.ID, acd.ReasonAgent)
		}()
	}
	h.tel.mu.Unlock()

	var wg sync.WaitGroup
	for i := range nCalls {
		wg.Go(func() {
			if err := h.eng.Enqueue(ctx, queue.Call{ID: queue.CallID(fmt.Sprintf("c%02d", i)), Queue: "sales"}); err != nil {
				t.Errorf("Enqueue: %v", err)
			}
		})
	}
	wg.Wait()
	timeout := time.After(30 * time.Second)
	for range nCalls {
		select {
		case err := <-finished:
			if err != nil {
				t.Fatal(err)
			}
		case <-timeout:
			t.Fatalf("calls did not finish; log:\n%s", h.events)
		}
	}

	connected, completed := map[string]int{}, map[string]int{}
	ringing := map[string]string{} // agent → call offered and not yet released
	for _, ev := range h.events.all() {
		switch ev.Type {
		case acd.EvConnected:
			connected[ev.CallID]++
		case acd.EvCompleted:
			completed[ev.CallID]++
		case acd.EvOffered:
			for _, a := range ev.Agents {
				if c, busy := ringing[a]; busy {
					t.Errorf("agent %s offered %s while still on %s", a, ev.CallID, c)
				}
				ringing[a] = ev.CallID
			}
		case acd.EvAgentState:
			if ev.State == "available" {
				delete(ringing, ev.Agent)
			}
		}
	}
	for i := range nCalls {
		id := fmt.Sprintf("c%02d", i)
		if connected[id] != 1 || completed[id] != 1 {
			t.Errorf("call %s: %d connected, %d completed events, want 1 and 1", id, connected[id], completed[id])
		}
	}
	if len(ringing) != 0 {
		t.Errorf("agents never released: %v", ringing)
	}
	taken := 0
	for _, id := range ids {
		a := h.wantState(id, agents.Available)
		taken += a.CallsTaken
	}
	if taken != nCalls {
		t.Errorf("agents took %d calls, want %d", taken, nCalls)
	}
	if n := h.active(); n != 0 {
		t.Errorf("%d active calls", n)
	}
	if w := h.waiting(); len(w) != 0 {
		t.Errorf("still waiting: %v", w)
	}
}
