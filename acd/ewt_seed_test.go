package acd_test

import (
	"maps"
	"testing"
	"testing/synctest"
	"time"

	"github.com/sme/acd/acd"
)

// SeedEWT folds the connected calls of a log into each queue's estimate in
// order, as the engine did while running: (3·old + wait)/4.
func TestSeedEWT(t *testing.T) {
	evs := []acd.Event{
		{Type: acd.EvEntered, Queue: "support"},
		{Type: acd.EvConnected, Queue: "support", WaitMS: 40_000}, // 0 → 10 s
		{Type: acd.EvAbandoned, Queue: "support", WaitMS: 900_000},
		{Type: acd.EvConnected, Queue: "sales", WaitMS: 20_000},   // 0 → 5 s
		{Type: acd.EvConnected, Queue: "support", WaitMS: 80_000}, // 10 → 27.5 s
		{Type: acd.EvConnected, WaitMS: 1_000},                    // no queue: ignored
	}
	want := map[string]time.Duration{"support": 27500 * time.Millisecond, "sales": 5 * time.Second}
	if got := acd.SeedEWT(evs); !maps.Equal(got, want) {
		t.Fatalf("SeedEWT = %v, want %v", got, want)
	}
}

// A restarted engine seeded from the log announces a wait to the first
// caller, before any call of this run has been answered.
func TestEngineStartsFromTheSeededEWT(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, acd.EngineConfig{
			Queues:     []acd.QueueConfig{queueCfg("support", acd.LongestIdle{})},
			InitialEWT: map[string]time.Duration{"support": 90 * time.Second, "gone": time.Minute},
		})
		h.enqueue("c1", "support")
		time.Sleep(30 * time.Second)
		a, err := h.eng.Announce(h.ctx, "c1")
		if err != nil {
			t.Fatal(err)
		}
		if !a.WaitKnown || a.Wait != time.Minute {
			t.Fatalf("announced %+v, want a known wait of 60 s (90 s estimate, 30 s waited)", a)
		}
	})
}
