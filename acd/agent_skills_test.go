package acd_test

import (
	"errors"
	"maps"
	"testing"
	"testing/synctest"

	"github.com/sme/acd/acd"
	"github.com/sme/acd/agents"
)

// TestEngineSetSkillsAppliesAtOnce: raising an agent's level lets a
// waiting call that needed it reach them at once, with no restart and no
// other event; the agent keeps its state and counters.
func TestEngineSetSkillsAppliesAtOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		q := queueCfg("billing", acd.LongestIdle{})
		q.Steps = billingSteps() // 20 s billing ≥ 4 first
		h := newHarness(t, acd.EngineConfig{Queues: []acd.QueueConfig{q}})
		h.addSkilledAgent("junior", map[string]int{"billing": 2, "french": 1}, "billing")
		h.enqueue("c1", "billing")
		synctest.Wait()
		h.wantNoOffer()

		before := h.agent("junior")
		a, err := h.eng.SetSkills(h.ctx, "junior", map[string]int{"billing": 4})
		if err != nil {
			t.Fatalf("SetSkills: %v", err)
		}
		if !maps.Equal(a.Skills, map[string]int{"billing": 4}) || a.State != agents.Available || !a.IdleSince.Equal(before.IdleSince) {
			t.Errorf("SetSkills returned %+v, want billing 4 only, still available since %v", a, before.IdleSince)
		}
		synctest.Wait()
		h.wantOffer("c1", "junior")
		if got := h.agent("junior"); !maps.Equal(got.Skills, map[string]int{"billing": 4}) || got.State != agents.Ringing {
			t.Errorf("stored agent %+v, want billing 4, ringing", got)
		}

		if _, err := h.eng.SetSkills(h.ctx, "nobody", map[string]int{"billing": 4}); !errors.Is(err, acd.ErrUnknownAgent) {
			t.Errorf("SetSkills of an unknown agent: %v, want ErrUnknownAgent", err)
		}
	})
}
