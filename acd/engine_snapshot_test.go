package acd_test

// Engine test of Snapshot: the per-queue picture of calls and agents.

import (
	"fmt"
	"slices"
	"testing"
	"testing/synctest"
	"time"

	"github.com/sme/acd/acd"
	"github.com/sme/acd/agents"
)

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
