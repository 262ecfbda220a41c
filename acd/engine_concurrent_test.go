package acd_test

// Engine test with real goroutines and real time: many callers at once.

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/sme/acd/acd"
	"github.com/sme/acd/agents"
	"github.com/sme/acd/queue"
)

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
