package acd_test

// Engine tests of who gets offered which call: ring-all, and one agent
// shared by several queues (longest wait, then queue priority).

import (
	"errors"
	"slices"
	"testing"
	"testing/synctest"
	"time"

	"github.com/sme/acd/acd"
	"github.com/sme/acd/agents"
)

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
