package report

import (
	"testing"
	"time"

	"github.com/sme/acd/acd"
)

// An overflowed call is a flow-out of the queue it left and a new call of
// the queue it went on to (METRICS.md: a call counts in the queue it
// entered), so Offered = Ans + Ab + flow-outs holds in both.
func TestReportOverflowedIsFlowOut(t *testing.T) {
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	ds := Build([]acd.Event{
		{Time: t0, Type: acd.EvEntered, CallID: "c1", Queue: "support"},
		{Time: t0, Type: acd.EvOverflowed, CallID: "c1", Queue: "support", Reason: acd.ReasonClosed, Target: "partner"},
		{Time: t0, Type: acd.EvEntered, CallID: "c1", Queue: "partner"},
		{Time: t0.Add(5 * time.Second), Type: acd.EvConnected, CallID: "c1", Queue: "partner", Agent: "a", WaitMS: 5000},
		{Time: t0.Add(65 * time.Second), Type: acd.EvCompleted, CallID: "c1", Queue: "partner", Agent: "a", WaitMS: 5000, TalkMS: 60000},
		{Time: t0.Add(time.Second), Type: acd.EvEntered, CallID: "c2", Queue: "support"},
		{Time: t0.Add(31 * time.Second), Type: acd.EvOverflowed, CallID: "c2", Queue: "support", Reason: acd.WhenWaited, WaitMS: 30000},
	}, BuildOptions{})
	if len(ds.Warnings) != 0 {
		t.Fatalf("warnings: %v", ds.Warnings)
	}
	if len(ds.Calls) != 3 {
		t.Fatalf("calls = %+v", ds.Calls)
	}
	want := []struct {
		queue   string
		outcome Outcome
		wait    time.Duration
	}{{"support", OutcomeOverflowed, 0}, {"partner", OutcomeAnswered, 5 * time.Second}, {"support", OutcomeOverflowed, 30 * time.Second}}
	for i, w := range want {
		c := ds.Calls[i]
		if c.Queue != w.queue || c.Outcome != w.outcome || c.Wait != w.wait {
			t.Errorf("call %d = %s %s %s, want %+v", i, c.Queue, c.Outcome, c.Wait, w)
		}
	}
	r := Compute(ds, Options{})
	for _, q := range r.Queues {
		if !q.Start.IsZero() {
			continue // totals only
		}
		c := q.Counts
		switch q.Queue {
		case "support":
			if c.Offered != 2 || c.FlowOuts != 2 || c.Answered != 0 || c.Open != 0 {
				t.Errorf("support = %+v", c)
			}
		case "partner":
			if c.Offered != 1 || c.Answered != 1 || c.FlowOuts != 0 {
				t.Errorf("partner = %+v", c)
			}
		}
	}
}
