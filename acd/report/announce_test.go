package report

import (
	"testing"
	"time"

	"github.com/sme/acd/acd"
)

// "announced" events (what a waiting caller was told) are not queue steps:
// no warning, no effect on the call or its wait.
func TestReportIgnoresAnnounced(t *testing.T) {
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	ds := Build([]acd.Event{
		{Time: t0, Type: acd.EvEntered, CallID: "c1", Queue: "support"},
		{Time: t0, Type: acd.EvAnnounced, CallID: "c1", Queue: "support", Position: 2},
		{Time: t0.Add(time.Minute), Type: acd.EvAnnounced, CallID: "c1", Queue: "support", Position: 1, EstimatedMS: 20000, WaitMS: 60000},
		{Time: t0.Add(90 * time.Second), Type: acd.EvAbandoned, CallID: "c1", Queue: "support", WaitMS: 90000},
		// An announcement whose entry is in an older file makes no call.
		{Time: t0.Add(2 * time.Minute), Type: acd.EvAnnounced, CallID: "old", Queue: "support", Position: 3},
	}, BuildOptions{})
	if len(ds.Warnings) != 0 {
		t.Fatalf("warnings: %v", ds.Warnings)
	}
	if len(ds.Calls) != 1 || ds.Calls[0].Outcome != OutcomeAbandoned || ds.Calls[0].Wait != 90*time.Second || ds.Calls[0].Partial {
		t.Fatalf("calls = %+v", ds.Calls)
	}
}
